/**
 * "Did you mean" for misspelt config keys: optimal-string-alignment (Damerau-Levenshtein)
 * distance, so a swapped pair of letters counts as one edit.
 */

/** Edit distance with insertions, deletions, substitutions and adjacent transpositions. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  if (m === 0) return n;
  if (n === 0) return m;
  // Three rolling rows: two back (for transpositions), previous, current.
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur[j] = d;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n];
}

/**
 * Known keys close to `key`, closest first (at most `limit`). A key qualifies when its distance is
 * at most a third of the longer key's length (minimum 2), or when one key contains the other
 * (e.g. `flush.interval.ms` for `offset.flush.interval.ms`).
 */
export function closestKeys(key: string, known: Iterable<string>, limit = 3): string[] {
  const lower = key.toLowerCase();
  const scored: Array<{ name: string; distance: number }> = [];
  for (const name of known) {
    const candidate = name.toLowerCase();
    const distance = editDistance(lower, candidate);
    const threshold = Math.max(2, Math.floor(Math.max(lower.length, candidate.length) / 3));
    const contains = lower.length >= 4 && candidate.length >= 4 && (candidate.includes(lower) || lower.includes(candidate));
    if (distance <= threshold || contains) scored.push({ name, distance });
  }
  scored.sort((x, y) => x.distance - y.distance || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  return scored.slice(0, limit).map((s) => s.name);
}
