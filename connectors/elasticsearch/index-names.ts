/**
 * Where a record goes: the index named after its topic (after transforms), or the data stream
 * `{type}-{dataset}-{namespace}`. Index names follow Elasticsearch's rules: lowercase, at most
 * 255 bytes, no leading `-`, `_` or `+`, not `.` or `..`, none of `\ / * ? " < > | , # :` or
 * spaces. Kafka topic names cannot break most of these, but a topic renamed by a transform can.
 */
import { DataException } from '../../runtime/connect/api/index.ts';

const MAX_INDEX_BYTES = 255;
const MAX_NAMESPACE_CHARS = 100;
const FORBIDDEN_INDEX_CHARS = /[\\/*?"<>|,#: ]/g;

/** Cuts a string to at most `maxBytes` UTF-8 bytes without splitting a character. */
function cutToBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += ch.length;
  }
  return text.slice(0, end);
}

/** The index a topic writes to: lower-cased and made valid for Elasticsearch. */
export function indexNameForTopic(topic: string): string {
  let name = topic.toLowerCase().replace(FORBIDDEN_INDEX_CHARS, '_');
  name = name.replace(/^[-_+]+/, '');
  name = cutToBytes(name, MAX_INDEX_BYTES);
  if (name === '') throw new DataException(`Topic '${topic}' gives no valid Elasticsearch index name (it is empty without its leading -, _ and + characters); rename it with a transform such as RegexRouter`);
  if (name === '.' || name === '..') return name.replaceAll('.', 'dot');
  return name;
}

/** The data stream a topic writes to: `{type}-{dataset}-{namespace}`, `${topic}` substituted. */
export function dataStreamNameForTopic(topic: string, type: string, dataset: string, namespaceTemplate: string): string {
  const namespace = namespaceTemplate.replaceAll('${topic}', topic.toLowerCase()).slice(0, MAX_NAMESPACE_CHARS);
  return `${type.toLowerCase()}-${dataset}-${namespace}`;
}

/** Caches the target name per topic: topics are few, records many. */
export class ResourceNamer {
  readonly #names = new Map<string, string>();
  readonly #name: (topic: string) => string;

  constructor(name: (topic: string) => string) {
    this.#name = name;
  }

  nameFor(topic: string): string {
    let name = this.#names.get(topic);
    if (name === undefined) {
      name = this.#name(topic);
      this.#names.set(topic, name);
    }
    return name;
  }
}
