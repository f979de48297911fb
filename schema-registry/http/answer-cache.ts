/**
 * Serialized answers of pure reads, valid while the registry state does not change: every
 * applied `_schemas` record moves the state's offset and empties the cache. The hottest reads
 * (schema by id, lookup) then cost a map lookup instead of a schema parse.
 */
export class AnswerCache {
  private offset = Number.NaN;
  private readonly answers = new Map<string, string>();
  private readonly capacity: number;

  constructor(capacity = 10_000) {
    this.capacity = capacity;
  }

  get(offset: number, key: string, render: () => string): string {
    if (offset !== this.offset) {
      this.answers.clear();
      this.offset = offset;
    }
    let answer = this.answers.get(key);
    if (answer === undefined) {
      answer = render();
      if (this.answers.size >= this.capacity) this.answers.delete(this.answers.keys().next().value as string);
      this.answers.set(key, answer);
    }
    return answer;
  }
}
