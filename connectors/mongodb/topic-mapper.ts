/**
 * Source topic names (the official DefaultTopicMapper): `topic.namespace.map` first (exact
 * `db.coll`, then `db`, then `*` patterns in their order), else `db<sep>coll`; then prefix and
 * suffix joined with `topic.separator`.
 */
import type { SourceSettings } from './source-config.ts';

export function topicFor(settings: SourceSettings, database: string, collection: string): string {
  const namespace = collection === '' ? database : `${database}.${collection}`;
  const map = settings.topicNamespaceMap;
  const mapped = map[namespace] ?? map[database] ?? wildcardMatch(map, namespace);
  const base = mapped ?? [database, collection].filter((part) => part !== '').join(settings.topicSeparator);
  return [settings.topicPrefix, base, settings.topicSuffix].filter((part) => part !== '').join(settings.topicSeparator);
}

function wildcardMatch(map: Record<string, string>, namespace: string): string | undefined {
  for (const [pattern, topic] of Object.entries(map)) {
    if (!pattern.includes('*')) continue;
    const regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    if (regex.test(namespace)) return topic;
  }
  return undefined;
}
