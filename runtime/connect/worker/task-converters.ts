/**
 * The key, value and header converters of one task. As in Kafka Connect, a connector that sets
 * `key.converter` (or value/header) uses its own class and its own `key.converter.*` settings;
 * otherwise the worker's class and settings apply. Configuration errors name the full key, e.g.
 * `value.converter.schemas.enable`.
 */
import { ConfigError } from '../../util/errors.ts';
import type { Converter, HeaderConverter } from '../api/index.ts';
import { originalsWithPrefix } from '../config/index.ts';
import { createConverter, createHeaderConverter } from '../converters/index.ts';
import { DEFAULT_HEADER_CONVERTER } from './worker-config.ts';

export interface TaskConverters {
  key: Converter;
  value: Converter;
  header: HeaderConverter;
  keyClass: string;
  valueClass: string;
  headerClass: string;
}

type Props = Readonly<Record<string, string>>;

/** Re-throws a converter's config error with the full (prefixed) key in message and context. */
function prefixed(err: unknown, prefix: string, origin: string): never {
  if (err instanceof ConfigError) {
    const keys = new Set<string>();
    if (typeof err.context.key === 'string') keys.add(err.context.key);
    for (const problem of (err.context.problems as Array<{ key?: unknown }> | undefined) ?? []) if (typeof problem.key === 'string') keys.add(problem.key);
    let message = err.message;
    for (const key of keys) message = message.split(`configuration ${key}`).join(`configuration ${prefix}${key}`);
    if (keys.size === 0) message = `${prefix.slice(0, -1)}: ${message}`;
    const first = [...keys][0];
    throw new ConfigError(`${message} (in the ${origin} config)`, { code: err.code, cause: err, context: { ...err.context, ...(first === undefined ? {} : { key: `${prefix}${first}` }) } });
  }
  throw err;
}

function pick(kind: 'key' | 'value' | 'header', worker: Props, connector: Props, defaults: Props): { className: string; settings: Record<string, string>; origin: string } {
  const classKey = `${kind}.converter`;
  const fromConnector = connector[classKey]?.trim();
  if (fromConnector) return { className: fromConnector, settings: { ...defaults, ...originalsWithPrefix(connector, `${classKey}.`) }, origin: 'connector' };
  const fromWorker = worker[classKey]?.trim() || (kind === 'header' ? DEFAULT_HEADER_CONVERTER : '');
  return { className: fromWorker, settings: { ...defaults, ...originalsWithPrefix(worker, `${classKey}.`) }, origin: 'worker' };
}

/** `defaults` are settings every converter gets unless its config sets them (the integrated registry's URL). */
export function createTaskConverters(worker: Props, connector: Props, defaults: Props = {}): TaskConverters {
  const key = pick('key', worker, connector, defaults);
  const value = pick('value', worker, connector, defaults);
  const header = pick('header', worker, connector, defaults);
  const keyConverter = createConverter(key.className, 'key.converter');
  const valueConverter = createConverter(value.className, 'value.converter');
  const headerConverter = createHeaderConverter(header.className, 'header.converter');
  try {
    keyConverter.configure(key.settings, true);
  } catch (err) {
    prefixed(err, 'key.converter.', key.origin);
  }
  try {
    valueConverter.configure(value.settings, false);
  } catch (err) {
    prefixed(err, 'value.converter.', value.origin);
  }
  try {
    headerConverter.configure(header.settings);
  } catch (err) {
    prefixed(err, 'header.converter.', header.origin);
  }
  return {
    key: keyConverter,
    value: valueConverter,
    header: headerConverter,
    keyClass: key.className,
    valueClass: value.className,
    headerClass: header.className,
  };
}
