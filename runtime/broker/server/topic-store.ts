import path from 'node:path';
import { CorruptDataError } from '../../util/errors.ts';
import { readIfExists, writeFileAtomic } from '../storage/fs-util.ts';

/**
 * The broker's topic catalogue on disk: name → topic id, partition count and config overrides,
 * in one JSON file replaced atomically on every change (changes are rare: create, delete, alter).
 * Kafka keeps the same facts in its metadata log; a single node needs only this file. Partition
 * directories are created after the entry is written and removed after it is dropped, so a crash
 * in between leaves at worst an unused directory, never a topic without its data.
 */
export const TOPICS_FILE = 'topics.json';

export interface StoredTopic {
  /** Kafka Uuid (22 characters of base64url). */
  id: string;
  partitions: number;
  /** Config overrides as given (strings, Kafka's names). */
  configs: Record<string, string>;
  internal?: boolean;
}

export class TopicStore {
  readonly #file: string;
  readonly #topics: Map<string, StoredTopic>;

  private constructor(file: string, topics: Map<string, StoredTopic>) {
    this.#file = file;
    this.#topics = topics;
  }

  static open(dataDir: string): TopicStore {
    const file = path.join(dataDir, TOPICS_FILE);
    const bytes = readIfExists(file);
    const topics = new Map<string, StoredTopic>();
    if (bytes !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(bytes.toString('utf8'));
      } catch (err) {
        throw new CorruptDataError(`${file} is not valid JSON: ${(err as Error).message}`, { code: 'TOPIC_STORE_INVALID', context: { file } });
      }
      const entries = (parsed as { topics?: unknown }).topics;
      if (typeof entries !== 'object' || entries === null) {
        throw new CorruptDataError(`${file} has no "topics" object`, { code: 'TOPIC_STORE_INVALID', context: { file } });
      }
      for (const [name, value] of Object.entries(entries as Record<string, unknown>)) topics.set(name, checkEntry(file, name, value));
    }
    return new TopicStore(file, topics);
  }

  get(name: string): StoredTopic | undefined {
    return this.#topics.get(name);
  }

  entries(): IterableIterator<[string, StoredTopic]> {
    return this.#topics.entries();
  }

  async put(name: string, topic: StoredTopic): Promise<void> {
    const next = new Map(this.#topics);
    next.set(name, topic);
    await this.#write(next);
    this.#topics.set(name, topic);
  }

  async remove(name: string): Promise<void> {
    const next = new Map(this.#topics);
    next.delete(name);
    await this.#write(next);
    this.#topics.delete(name);
  }

  async #write(topics: Map<string, StoredTopic>): Promise<void> {
    const body = { version: 1, topics: Object.fromEntries([...topics].sort(([a], [b]) => a.localeCompare(b))) };
    await writeFileAtomic(this.#file, `${JSON.stringify(body, null, 2)}\n`);
  }
}

function checkEntry(file: string, name: string, value: unknown): StoredTopic {
  const v = value as Partial<StoredTopic> | null;
  const ok =
    v !== null &&
    typeof v === 'object' &&
    typeof v.id === 'string' &&
    Number.isInteger(v.partitions) &&
    (v.partitions as number) > 0 &&
    typeof v.configs === 'object' &&
    v.configs !== null &&
    Object.values(v.configs).every((c) => typeof c === 'string');
  if (!ok) throw new CorruptDataError(`${file}: entry of topic ${name} needs id, partitions > 0 and string configs`, { code: 'TOPIC_STORE_INVALID', context: { file, topic: name } });
  return { id: v.id as string, partitions: v.partitions as number, configs: { ...(v.configs as Record<string, string>) }, internal: v.internal === true };
}
