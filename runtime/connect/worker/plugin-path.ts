/**
 * plugin.path entries: a folder holding a plugin (package.json or index.js/.mjs/.ts), a folder of
 * such plugin folders, a module file, or an npm package name. Every exported class whose
 * taskClass() can poll() or put() is registered (under its static `className` when it has one).
 * Kafka's own jars are Java: the FileStream jar (`libs/connect-file-*.jar`, as Kafka's quickstart
 * adds it) is accepted with an info line, since the built-ins cover it; other jars get a warning.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from '../../observability/logger.ts';
import { messageOf } from '../../util/errors.ts';
import type { ConnectorClass, PluginRegistry } from './plugins.ts';

const FILE_STREAM_JAR = /^connect-file(?:-[\w.*-]*)?\.jar$/;
const MODULE_FILE = /\.(?:m?js|ts)$/;
const INDEX_FILES = ['index.js', 'index.mjs', 'index.ts'];
const PACKAGE_NAME = /^(?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i;

export async function loadPluginPath(registry: PluginRegistry, entries: readonly string[], logger: Logger, baseDir: string): Promise<void> {
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === '') continue;
    await loadEntry(registry, entry, logger, baseDir);
  }
}

async function loadEntry(registry: PluginRegistry, entry: string, logger: Logger, baseDir: string): Promise<void> {
  const location = path.resolve(baseDir, entry);
  if (entry.endsWith('.jar')) {
    jar(entry, logger);
    return;
  }
  if (!existsSync(location)) {
    if (PACKAGE_NAME.test(entry) && !entry.startsWith('.')) {
      await loadPackage(registry, entry, logger, baseDir);
      return;
    }
    logger.warn({ entry, resolved: location }, `plugin.path entry ${entry} does not exist; skipped`);
    return;
  }
  if (statSync(location).isFile()) {
    if (MODULE_FILE.test(location)) await loadModule(registry, location, entry, logger);
    else logger.warn({ entry }, `plugin.path entry ${entry} is neither a folder nor a JavaScript/TypeScript module; skipped`);
    return;
  }
  const main = moduleOfFolder(location);
  if (main !== undefined) {
    await loadModule(registry, main, entry, logger);
    return;
  }
  // A folder of plugins, as Kafka's plugin.path folders are.
  for (const child of readdirSync(location).sort()) {
    const full = path.join(location, child);
    if (child.endsWith('.jar')) jar(path.join(entry, child), logger);
    else if (statSync(full).isDirectory()) {
      const childMain = moduleOfFolder(full);
      if (childMain !== undefined) await loadModule(registry, childMain, path.join(entry, child), logger);
    } else if (MODULE_FILE.test(child)) await loadModule(registry, full, path.join(entry, child), logger);
  }
}

function jar(entry: string, logger: Logger): void {
  if (FILE_STREAM_JAR.test(path.basename(entry))) {
    logger.info({ entry }, `plugin.path entry ${entry} is Kafka's FileStream connector jar: the built-in FileStreamSource and FileStreamSink are used`);
  } else {
    logger.warn({ entry }, `plugin.path entry ${entry} is a Java plugin, which cannot run here; its connectors are not available`);
  }
}

/** The module a plugin folder exports: package.json `main`/`exports`, else an index file. */
function moduleOfFolder(folder: string): string | undefined {
  const manifest = path.join(folder, 'package.json');
  if (existsSync(manifest)) {
    try {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { main?: string; exports?: unknown };
      const exported = typeof pkg.exports === 'string' ? pkg.exports : (pkg.exports as { '.'?: unknown } | undefined)?.['.'];
      const main = typeof exported === 'string' ? exported : pkg.main;
      if (typeof main === 'string') return path.join(folder, main);
    } catch {
      // An unreadable manifest: fall back to the index files.
    }
  }
  return INDEX_FILES.map((f) => path.join(folder, f)).find((f) => existsSync(f));
}

async function loadPackage(registry: PluginRegistry, name: string, logger: Logger, baseDir: string): Promise<void> {
  let resolved: string;
  try {
    resolved = createRequire(path.join(baseDir, 'package.json')).resolve(name);
  } catch {
    logger.warn({ entry: name }, `plugin.path entry ${name} is neither a path nor an installed npm package; skipped`);
    return;
  }
  await loadModule(registry, resolved, name, logger);
}

async function loadModule(registry: PluginRegistry, file: string, entry: string, logger: Logger): Promise<void> {
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    logger.warn({ entry, file, err: messageOf(err) }, `plugin.path entry ${entry} could not be loaded; skipped`);
    return;
  }
  const found: string[] = [];
  for (const value of new Set(Object.values(exports))) {
    if (!isConnectorClass(value)) continue;
    try {
      const taken = registry.register(value, { origin: entry });
      if (taken.length > 0) logger.warn({ entry, names: taken }, `plugin.path entry ${entry}: names already taken by another plugin: ${taken.join(', ')}`);
      found.push((value as { className?: string }).className ?? value.name);
    } catch (err) {
      logger.warn({ entry, err: messageOf(err) }, `plugin.path entry ${entry}: ${messageOf(err)}`);
    }
  }
  if (found.length === 0) logger.warn({ entry }, `plugin.path entry ${entry} exports no connector class`);
  else logger.info({ entry, connectors: found }, `loaded connectors from ${entry}`);
}

function isConnectorClass(value: unknown): value is ConnectorClass {
  if (typeof value !== 'function') return false;
  const proto = (value as { prototype?: Record<string, unknown> }).prototype;
  return proto !== undefined && typeof proto.taskClass === 'function' && typeof proto.taskConfigs === 'function' && typeof proto.start === 'function';
}
