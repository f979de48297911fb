/**
 * Deterministic log-like documents of about 300 B for the sink benchmarks (Elasticsearch and
 * MongoDB): the same seed gives the same documents in every run.
 */
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];

export interface DocumentShape {
  seed: number;
  /** The field holding the document's number: `_id` for MongoDB, `id` for a JSON line. */
  idField: string;
  /** Words in the free-text field; sets the size. */
  messageWords: number;
}

export function benchDocuments(count: number, { seed, idField, messageWords }: DocumentShape): Array<Record<string, unknown>> {
  let state = seed;
  const rand = () => ((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32);
  return Array.from({ length: count }, (_, i) => ({
    [idField]: i,
    user: `user-${Math.floor(rand() * 100_000)}`,
    email: `user${Math.floor(rand() * 100_000)}@example.com`,
    ts: new Date(1_795_000_000_000 + i * 1000).toISOString(),
    level: rand() < 0.9 ? 'info' : 'warn',
    amount: Math.round(rand() * 1_000_000) / 100,
    tags: [WORDS[i % WORDS.length], WORDS[(i * 7) % WORDS.length]],
    message: Array.from({ length: messageWords }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' '),
  }));
}
