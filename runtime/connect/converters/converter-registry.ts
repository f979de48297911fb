/**
 * Converters by class name, as worker and connector configs name them (`key.converter`,
 * `value.converter`, `header.converter`): Kafka's fully qualified class names, their simple
 * names and Kafka's short aliases (`JsonConverter`, `Json`). Other converters (the schema registry
 * ones) register here. An unknown class is a ConfigError naming the key and listing the choices.
 */
import type { Converter, HeaderConverter } from '../api/index.ts';
import { ConfigError } from '../../util/errors.ts';
import { ByteArrayConverter } from './byte-array-converter.ts';
import { JsonConverter } from './json-converter.ts';
import { NUMBER_FORMATS, NumberConverter } from './number-converters.ts';
import { SimpleHeaderConverter } from './simple-header-converter.ts';
import { StringConverter } from './string-converter.ts';

export interface ConverterPlugin {
  className: string;
  /** Extra names; the simple class name and the name without "Converter" are added automatically. */
  aliases?: readonly string[];
  /** Set when the class can convert keys and values. */
  createConverter?: () => Converter;
  /** Set when the class can convert headers. */
  createHeaderConverter?: () => HeaderConverter;
}

const plugins: ConverterPlugin[] = [];
const byName = new Map<string, ConverterPlugin>();

function namesOf(plugin: ConverterPlugin): string[] {
  const simple = plugin.className.slice(plugin.className.lastIndexOf('.') + 1);
  const pruned = simple.endsWith('Converter') && simple !== 'Converter' ? simple.slice(0, -'Converter'.length) : simple;
  return [...new Set([plugin.className, simple, pruned, ...(plugin.aliases ?? [])])];
}

/** Makes a converter class available by its names. A name already taken is an error. */
export function registerConverter(plugin: ConverterPlugin): void {
  const names = namesOf(plugin);
  const taken = names.find((n) => byName.has(n));
  if (taken !== undefined) throw new ConfigError(`Converter name ${taken} is already registered`, { code: 'CONFIG_DEFINITION' });
  plugins.push(plugin);
  for (const n of names) byName.set(n, plugin);
}

registerConverter({
  className: 'org.apache.kafka.connect.storage.StringConverter',
  createConverter: () => new StringConverter(),
  createHeaderConverter: () => new StringConverter(),
});
registerConverter({
  className: 'org.apache.kafka.connect.json.JsonConverter',
  createConverter: () => new JsonConverter(),
  createHeaderConverter: () => new JsonConverter(),
});
registerConverter({
  className: 'org.apache.kafka.connect.converters.ByteArrayConverter',
  createConverter: () => new ByteArrayConverter(),
  createHeaderConverter: () => new ByteArrayConverter(),
});
registerConverter({
  className: 'org.apache.kafka.connect.storage.SimpleHeaderConverter',
  createHeaderConverter: () => new SimpleHeaderConverter(),
});
for (const format of Object.values(NUMBER_FORMATS)) {
  registerConverter({
    className: `org.apache.kafka.connect.converters.${format.name}Converter`,
    createConverter: () => new NumberConverter(format),
    createHeaderConverter: () => new NumberConverter(format),
  });
}

/** Class names usable for key.converter / value.converter. */
export function availableConverters(): string[] {
  return plugins.filter((p) => p.createConverter).map((p) => p.className);
}

/** Class names usable for header.converter. */
export function availableHeaderConverters(): string[] {
  return plugins.filter((p) => p.createHeaderConverter).map((p) => p.className);
}

function unknown(configKey: string, className: string, available: string[], what: string): ConfigError {
  return new ConfigError(
    `Invalid value "${className}" for configuration ${configKey}: ${what} class ${className} could not be found; available: ${available.join(', ')}`,
    { code: 'CONFIG_INVALID', context: { key: configKey, value: className } },
  );
}

/** A new, unconfigured converter; `configKey` (e.g. `value.converter`) is named in errors. */
export function createConverter(className: string, configKey: string): Converter {
  const plugin = byName.get(className.trim());
  if (!plugin?.createConverter) throw unknown(configKey, className, availableConverters(), 'Converter');
  return plugin.createConverter();
}

/** A new, unconfigured header converter; `configKey` (e.g. `header.converter`) is named in errors. */
export function createHeaderConverter(className: string, configKey: string): HeaderConverter {
  const plugin = byName.get(className.trim());
  if (!plugin?.createHeaderConverter) throw unknown(configKey, className, availableHeaderConverters(), 'HeaderConverter');
  return plugin.createHeaderConverter();
}
