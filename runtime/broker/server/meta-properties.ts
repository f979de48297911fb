import { randomBytes, randomInt } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, CorruptDataError } from '../../util/errors.ts';

/**
 * The data directory's identity, in Kafka's `meta.properties` format (version 1: node.id,
 * cluster.id, directory.id). Written once, on first start; later starts read it and refuse a
 * node.id that differs from the stored one, as Kafka does.
 */
export interface MetaProperties {
  nodeId: number;
  clusterId: string;
  directoryId: string;
}

export const META_PROPERTIES_FILE = 'meta.properties';

/** 16 random bytes as unpadded URL-safe base64, Kafka's Uuid.toString form (22 characters). */
export function randomKafkaUuid(): string {
  return randomBytes(16).toString('base64url');
}

function parse(text: string, file: string): MetaProperties {
  const entries = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    if (eq < 0) throw new CorruptDataError(`${file}: line "${trimmed}" is not key=value`, { code: 'META_PROPERTIES_INVALID', context: { file } });
    entries.set(trimmed.slice(0, eq).trim(), trimmed.slice(eq + 1).trim());
  }
  const need = (key: string): string => {
    const v = entries.get(key);
    if (v === undefined || v === '') throw new CorruptDataError(`${file}: ${key} is missing`, { code: 'META_PROPERTIES_INVALID', context: { file, key } });
    return v;
  };
  const nodeId = Number(entries.get('node.id') ?? entries.get('broker.id') ?? NaN);
  if (!Number.isInteger(nodeId) || nodeId < 0) {
    throw new CorruptDataError(`${file}: node.id is missing or not a non-negative integer`, { code: 'META_PROPERTIES_INVALID', context: { file, key: 'node.id' } });
  }
  return { nodeId, clusterId: need('cluster.id'), directoryId: entries.get('directory.id') ?? randomKafkaUuid() };
}

function format(meta: MetaProperties): string {
  return `#\n#Written by Sluice on first start\nnode.id=${meta.nodeId}\ndirectory.id=${meta.directoryId}\nversion=1\ncluster.id=${meta.clusterId}\n`;
}

/**
 * Reads DIR/meta.properties, or creates it with a generated cluster id (and node id when
 * `requestedNodeId` is -1). Throws ConfigError when a node id was asked for that differs from the stored one.
 */
export async function loadOrCreateMetaProperties(dir: string, requestedNodeId: number): Promise<MetaProperties & { created: boolean }> {
  const file = path.join(dir, META_PROPERTIES_FILE);
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (text !== undefined) {
    const meta = parse(text, file);
    if (requestedNodeId >= 0 && requestedNodeId !== meta.nodeId) {
      throw new ConfigError(`Stored node id ${meta.nodeId} in ${file} does not match node.id=${requestedNodeId}; use a new data directory or the stored id`, {
        code: 'INVALID_CONFIG',
        context: { key: 'node.id', file },
      });
    }
    return { ...meta, created: false };
  }
  const meta: MetaProperties = {
    nodeId: requestedNodeId >= 0 ? requestedNodeId : randomInt(1, 1000),
    clusterId: randomKafkaUuid(),
    directoryId: randomKafkaUuid(),
  };
  await mkdir(dir, { recursive: true });
  const tmp = `${file}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(format(meta));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
  return { ...meta, created: true };
}
