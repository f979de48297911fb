/**
 * A secret config value. Every rendering (toString, JSON, util.inspect, template strings) shows
 * `[hidden]`, as Kafka's Password does, so a secret cannot leak through a log line or a REST body
 * by accident; only `value()` gives the secret.
 */
export const HIDDEN = '[hidden]';

export class Password {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret itself. Never log it. */
  value(): string {
    return this.#value;
  }

  equals(other: unknown): boolean {
    return other instanceof Password && other.#value === this.#value;
  }

  toString(): string {
    return HIDDEN;
  }

  toJSON(): string {
    return HIDDEN;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return HIDDEN;
  }
}
