/**
 * Secret masking for any rendering of a config (logs, REST bodies, status): values of PASSWORD
 * keys become `[hidden]`, and so do keys that are not defined but are named like secrets (a
 * `producer.sasl.jaas.config` pass-through, say). A value that is only a config provider
 * reference (`${file:/etc/creds.properties:password}`) holds no secret and is kept, as Kafka
 * Connect's REST API returns the placeholder, never the resolved value.
 */
import type { ConfigDef } from './config-def.ts';
import { HIDDEN } from '../../util/config/password.ts';

const SECRET_NAME = /(?:^|[._-])(?:password|passwd|secret|token|credentials?|jaas\.config|api[._-]?key|private[._-]?key)$/i;
const ONLY_VARIABLES = /^(?:\$\{[^}]*?:(?:[^}]*?:)?[^}]*?\})+$/;

/** True for key names that by convention hold secrets. */
export function isSensitiveKeyName(key: string): boolean {
  return SECRET_NAME.test(key);
}

/** True when `key` is a PASSWORD key of `def`, or is undefined there and named like a secret. */
export function isSecretKey(def: ConfigDef<object> | null, key: string): boolean {
  const defined = def?.key(key);
  return defined ? defined.type === 'PASSWORD' : isSensitiveKeyName(key);
}

/** A copy of `props` with every secret value replaced by `[hidden]`. */
export function maskSecrets<T>(def: ConfigDef<object> | null, props: Readonly<Record<string, T>>): Record<string, T | string> {
  const out: Record<string, T | string> = {};
  for (const [key, value] of Object.entries(props)) {
    const secret = value !== null && value !== undefined && isSecretKey(def, key);
    out[key] = secret && !(typeof value === 'string' && ONLY_VARIABLES.test(value)) ? HIDDEN : value;
  }
  return out;
}
