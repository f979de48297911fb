/**
 * ReplaceField$Key / ReplaceField$Value: keeps, drops and renames top-level fields. `exclude`
 * wins over `include`; `renames` is a list of `old:new` pairs. The pre-KIP-629 names
 * `blacklist` / `whitelist` (removed in Kafka 4.0) are still read when `exclude` / `include`
 * are not set, so old connector configs keep working.
 */
import type { ConnectRecord, Schema, Transformation } from '../api/index.ts';
import { ConfigDef, SchemaBuilder, Struct } from '../api/index.ts';
import type { ConfigValuesOf } from './util/plugin-config.ts';
import { ConfiguredPlugin, REPLACE_NULL_WITH_DEFAULT_DOC, splitLikeJava } from './util/plugin-config.ts';
import type { RecordSide } from './util/record-side.ts';
import { operatingSchema, operatingValue, sideSuffix, withOperated } from './util/record-side.ts';
import { requireMap, requireStruct } from './util/requirements.ts';
import { SchemaCache } from './util/schema-cache.ts';
import { copySchemaBasics } from './util/schema-util.ts';
import { invalidValue } from '../config/index.ts';

/** Parses `old:new` pairs; throws ConfigError naming `key` for a malformed pair. */
function parseRenames(key: string, mappings: readonly string[]): Map<string, string> {
  const renames = new Map<string, string>();
  for (const mapping of mappings) {
    const parts = splitLikeJava(mapping, ':');
    if (parts.length !== 2) throw invalidValue(key, mappings, `Invalid rename mapping: ${mapping}`);
    renames.set(parts[0], parts[1]);
  }
  return renames;
}

const CONFIG_DEF = new ConfigDef()
  .define({ name: 'exclude', type: 'LIST', default: '', importance: 'MEDIUM', documentation: 'Fields to exclude. This takes precedence over the fields to include.' })
  .define({ name: 'blacklist', type: 'LIST', default: null, importance: 'LOW', documentation: 'Deprecated. Use exclude instead.' })
  .define({ name: 'include', type: 'LIST', default: '', importance: 'MEDIUM', documentation: 'Fields to include. If specified, only these fields will be used.' })
  .define({ name: 'whitelist', type: 'LIST', default: null, importance: 'LOW', documentation: 'Deprecated. Use include instead.' })
  .define({
    name: 'renames',
    type: 'LIST',
    default: '',
    validator: {
      description: 'list of colon-delimited pairs, e.g. <code>foo:bar,abc:xyz</code>',
      ensureValid: (name, value) => void parseRenames(name, (value as string[] | null) ?? []),
    },
    importance: 'MEDIUM',
    documentation: 'Field rename mappings.',
  })
  .define({ name: 'replace.null.with.default', type: 'BOOLEAN', default: true, importance: 'MEDIUM', documentation: REPLACE_NULL_WITH_DEFAULT_DOC });

const PURPOSE = 'field replacement';

abstract class ReplaceField<R extends ConnectRecord<R>> extends ConfiguredPlugin<ConfigValuesOf<typeof CONFIG_DEF>> implements Transformation<R> {
  static readonly OVERVIEW_DOC = 'Filter or rename fields.';
  protected abstract readonly side: RecordSide;
  #exclude = new Set<string>();
  #include = new Set<string>();
  #renames = new Map<string, string>();
  #reverseRenames = new Map<string, string>();
  #replaceNullWithDefault = true;
  readonly #schemaCache = new SchemaCache();

  constructor() {
    super(CONFIG_DEF);
  }

  get className(): string {
    return `org.apache.kafka.connect.transforms.ReplaceField${sideSuffix(this.side)}`;
  }

  configure(configs: Readonly<Record<string, unknown>>): void {
    const c = this.parseConfig(configs);
    // The deprecated synonym counts only when the current key is not given (Kafka's translateDeprecatedConfigs).
    const given = (key: string) => Object.hasOwn(configs, key) && configs[key] !== undefined && configs[key] !== null;
    this.#exclude = new Set(given('exclude') ? c.exclude : (c.blacklist ?? c.exclude));
    this.#include = new Set(given('include') ? c.include : (c.whitelist ?? c.include));
    this.#renames = parseRenames(this.keyName('renames'), c.renames);
    this.#reverseRenames = new Map([...this.#renames].map(([from, to]) => [to, from]));
    this.#replaceNullWithDefault = c['replace.null.with.default'];
    this.#schemaCache.clear();
  }

  #keep(name: string): boolean {
    return !this.#exclude.has(name) && (this.#include.size === 0 || this.#include.has(name));
  }

  #renamed(name: string): string {
    return this.#renames.get(name) ?? name;
  }

  apply(record: R): R {
    const value = operatingValue(this.side, record);
    if (value === null) return record;
    if (operatingSchema(this.side, record) === null) {
      const updated = new Map<string, unknown>();
      for (const [name, fieldValue] of requireMap(value, PURPOSE)) if (this.#keep(name)) updated.set(this.#renamed(name), fieldValue);
      return withOperated(this.side, record, null, updated);
    }
    const struct = requireStruct(value, PURPOSE);
    const schema = this.#schemaCache.getOrBuild(struct.schema, (s) => this.#updatedSchema(s));
    const updated = new Struct(schema);
    for (const field of schema.fields()) {
      const original = this.#reverseRenames.get(field.name) ?? field.name;
      updated.put(field, this.#replaceNullWithDefault ? struct.get(original) : struct.getWithoutDefault(original));
    }
    return withOperated(this.side, record, schema, updated);
  }

  #updatedSchema(schema: Schema): Schema {
    const builder = copySchemaBasics(schema, SchemaBuilder.struct());
    for (const field of schema.fields()) if (this.#keep(field.name)) builder.field(this.#renamed(field.name), field.schema);
    return builder.build();
  }

  close(): void {
    this.#schemaCache.clear();
  }
}

export class ReplaceFieldKey<R extends ConnectRecord<R>> extends ReplaceField<R> {
  protected readonly side = 'key';
}

export class ReplaceFieldValue<R extends ConnectRecord<R>> extends ReplaceField<R> {
  protected readonly side = 'value';
}
