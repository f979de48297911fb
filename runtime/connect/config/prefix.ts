/**
 * Prefix helpers for configs that pass settings on to a component: `producer.`, `consumer.`,
 * `admin.` (worker clients), `producer.override.` (per connector), `key.converter.`,
 * `transforms.<alias>.`, `config.providers.<name>.param.`.
 */

/**
 * The entries whose key starts with `prefix` (and is longer than it), with the prefix removed
 * unless `strip` is false (Kafka's AbstractConfig.originalsWithPrefix).
 */
export function originalsWithPrefix<T>(props: Readonly<Record<string, T>>, prefix: string, strip = true): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [key, value] of Object.entries(props)) {
    if (key.startsWith(prefix) && key.length > prefix.length) out[strip ? key.slice(prefix.length) : key] = value;
  }
  return out;
}

/** The entries whose key does not start with any of the prefixes. */
export function withoutPrefixes<T>(props: Readonly<Record<string, T>>, prefixes: readonly string[]): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [key, value] of Object.entries(props)) if (!prefixes.some((p) => key.startsWith(p))) out[key] = value;
  return out;
}

/**
 * `base` overlaid with the `prefix`ed entries of `props`, prefix removed: the prefixed setting
 * wins (Kafka's valuesWithPrefixOverride, e.g. a connector's `producer.override.acks`).
 */
export function withPrefixOverride<T>(base: Readonly<Record<string, T>>, props: Readonly<Record<string, T>>, prefix: string): Record<string, T> {
  return { ...base, ...originalsWithPrefix(props, prefix) };
}
