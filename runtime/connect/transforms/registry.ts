/**
 * Transformations and predicates by class name (Kafka's plugin scan for SMTs). Names resolve as
 * in Kafka Connect: the fully qualified class name (`org.apache.kafka.connect.transforms.Cast$Value`)
 * or an alias, where the aliases of a plugin are its simple class name and that name without a
 * `Transformation` / `Predicate` suffix, kept only when no other plugin claims the same alias (so
 * `RegexRouter` and `TopicNameMatches` work, while `Value` of the `$Value` variants does not).
 * Connectors and plugins add their own through registerTransformation / registerPredicate.
 */
import type { ConnectRecord, Predicate, Transformation } from '../api/index.ts';
import { closestKeys, invalidValue } from '../config/index.ts';
import { ConfigError } from '../../util/errors.ts';
import { CastKey, CastValue } from './cast.ts';
import { DropHeaders } from './drop-headers.ts';
import { ExtractFieldKey, ExtractFieldValue } from './extract-field.ts';
import { Filter } from './filter.ts';
import { FlattenKey, FlattenValue } from './flatten.ts';
import { HeaderFromKey, HeaderFromValue } from './header-from.ts';
import { HoistFieldKey, HoistFieldValue } from './hoist-field.ts';
import { InsertFieldKey, InsertFieldValue } from './insert-field.ts';
import { InsertHeader } from './insert-header.ts';
import { MaskFieldKey, MaskFieldValue } from './mask-field.ts';
import { HasHeaderKey } from './predicates/has-header-key.ts';
import { RecordIsTombstone } from './predicates/record-is-tombstone.ts';
import { TopicNameMatches } from './predicates/topic-name-matches.ts';
import { RegexRouter } from './regex-router.ts';
import { ReplaceFieldKey, ReplaceFieldValue } from './replace-field.ts';
import { SetSchemaMetadataKey, SetSchemaMetadataValue } from './set-schema-metadata.ts';
import { TimestampConverterKey, TimestampConverterValue } from './timestamp-converter.ts';
import { TimestampRouter } from './timestamp-router.ts';
import { ValueToKey } from './value-to-key.ts';

export interface TransformationPlugin {
  /** The class name users put in `transforms.<alias>.type`. */
  readonly className: string;
  /** A new, unconfigured instance. */
  create<R extends ConnectRecord<R>>(): Transformation<R>;
  /** One-paragraph description (docs, /connector-plugins). */
  readonly doc?: string;
  readonly version?: string;
}

export interface PredicatePlugin {
  /** The class name users put in `predicates.<alias>.type`. */
  readonly className: string;
  create<R extends ConnectRecord<R>>(): Predicate<R>;
  readonly doc?: string;
  readonly version?: string;
}

export type PluginKind = 'transformation' | 'predicate';

/** Kafka's simple class name: after the last `.` and, for a nested class, after the last `$`. */
function simpleName(className: string): string {
  const afterDot = className.slice(className.lastIndexOf('.') + 1);
  return afterDot.slice(afterDot.lastIndexOf('$') + 1);
}

function prunedName(className: string, kind: PluginKind): string {
  const simple = simpleName(className);
  const suffix = kind === 'transformation' ? 'Transformation' : 'Predicate';
  const at = simple.lastIndexOf(suffix);
  return at > 0 ? simple.slice(0, at) : simple;
}

export class TransformRegistry {
  readonly #transformations = new Map<string, TransformationPlugin>();
  readonly #predicates = new Map<string, PredicatePlugin>();
  #aliases: Map<string, { kind: PluginKind; className: string }> | null = null;

  #checkFree(className: string): void {
    if (this.#transformations.has(className) || this.#predicates.has(className)) {
      throw new ConfigError(`Plugin class ${className} is already registered`, { code: 'CONFIG_DEFINITION', context: { className } });
    }
  }

  registerTransformation(plugin: TransformationPlugin): this {
    this.#checkFree(plugin.className);
    this.#transformations.set(plugin.className, plugin);
    this.#aliases = null;
    return this;
  }

  registerPredicate(plugin: PredicatePlugin): this {
    this.#checkFree(plugin.className);
    this.#predicates.set(plugin.className, plugin);
    this.#aliases = null;
    return this;
  }

  transformations(): TransformationPlugin[] {
    return [...this.#transformations.values()];
  }

  predicates(): PredicatePlugin[] {
    return [...this.#predicates.values()];
  }

  /** Unambiguous alias → class name, over both kinds (as Kafka computes them over all plugins). */
  aliases(): ReadonlyMap<string, string> {
    return new Map([...this.#aliasTable()].map(([alias, target]) => [alias, target.className]));
  }

  #aliasTable(): Map<string, { kind: PluginKind; className: string }> {
    if (this.#aliases !== null) return this.#aliases;
    const claims = new Map<string, Array<{ kind: PluginKind; className: string }>>();
    const claim = (kind: PluginKind, className: string) => {
      for (const alias of new Set([simpleName(className), prunedName(className, kind)])) {
        if (alias === className) continue;
        const list = claims.get(alias) ?? [];
        list.push({ kind, className });
        claims.set(alias, list);
      }
    };
    for (const name of this.#transformations.keys()) claim('transformation', name);
    for (const name of this.#predicates.keys()) claim('predicate', name);
    this.#aliases = new Map([...claims].filter(([, list]) => list.length === 1).map(([alias, list]) => [alias, list[0]]));
    return this.#aliases;
  }

  /** The transformation named by class name or alias, or undefined. */
  findTransformation(name: string): TransformationPlugin | undefined {
    const direct = this.#transformations.get(name);
    if (direct !== undefined) return direct;
    const alias = this.#aliasTable().get(name);
    return alias?.kind === 'transformation' ? this.#transformations.get(alias.className) : undefined;
  }

  /** The predicate named by class name or alias, or undefined. */
  findPredicate(name: string): PredicatePlugin | undefined {
    const direct = this.#predicates.get(name);
    if (direct !== undefined) return direct;
    const alias = this.#aliasTable().get(name);
    return alias?.kind === 'predicate' ? this.#predicates.get(alias.className) : undefined;
  }

  /**
   * The error for a class name that names no plugin of `kind`: names the key, suggests close
   * names and lists what is available.
   */
  unknownClassError(kind: PluginKind, configKey: string, name: string): ConfigError {
    const classes = kind === 'transformation' ? [...this.#transformations.keys()] : [...this.#predicates.keys()];
    const aliases = [...this.#aliasTable()].filter(([, t]) => t.kind === kind).map(([alias]) => alias);
    const other = kind === 'transformation' ? this.findPredicate(name) : this.findTransformation(name);
    const wrongKind = other === undefined ? '' : ` ${other.className} is a ${kind === 'transformation' ? 'predicate' : 'transformation'}, not a ${kind}.`;
    const suggestions = closestKeys(name, [...classes, ...aliases]);
    const hint = suggestions.length === 0 ? '' : ` Did you mean ${suggestions.join(' or ')}?`;
    return invalidValue(
      configKey,
      name,
      `Class ${name} could not be found.${wrongKind}${hint} Available ${kind}s: ${classes.join(', ')}${aliases.length === 0 ? '' : ` (aliases: ${aliases.sort().join(', ')})`}`,
    );
  }

  /** A new, unconfigured transformation; ConfigError naming `configKey` when the class is unknown. */
  newTransformation<R extends ConnectRecord<R>>(name: string, configKey = 'type'): Transformation<R> {
    const plugin = this.findTransformation(name);
    if (plugin === undefined) throw this.unknownClassError('transformation', configKey, name);
    return plugin.create<R>();
  }

  /** A new, unconfigured predicate; ConfigError naming `configKey` when the class is unknown. */
  newPredicate<R extends ConnectRecord<R>>(name: string, configKey = 'type'): Predicate<R> {
    const plugin = this.findPredicate(name);
    if (plugin === undefined) throw this.unknownClassError('predicate', configKey, name);
    return plugin.create<R>();
  }
}

const PACKAGE = 'org.apache.kafka.connect.transforms.';

/** Kafka's built-in SMTs and predicates, in Kafka's service-file order. */
export function registerBuiltins(registry: TransformRegistry): TransformRegistry {
  const t = (className: string, doc: string, create: TransformationPlugin['create']) => registry.registerTransformation({ className: PACKAGE + className, doc, create });
  const p = (className: string, doc: string, create: PredicatePlugin['create']) => registry.registerPredicate({ className: `${PACKAGE}predicates.${className}`, doc, create });
  t('Cast$Key', CastKey.OVERVIEW_DOC, () => new CastKey());
  t('Cast$Value', CastValue.OVERVIEW_DOC, () => new CastValue());
  t('DropHeaders', DropHeaders.OVERVIEW_DOC, () => new DropHeaders());
  t('ExtractField$Key', ExtractFieldKey.OVERVIEW_DOC, () => new ExtractFieldKey());
  t('ExtractField$Value', ExtractFieldValue.OVERVIEW_DOC, () => new ExtractFieldValue());
  t('Filter', Filter.OVERVIEW_DOC, () => new Filter());
  t('Flatten$Key', FlattenKey.OVERVIEW_DOC, () => new FlattenKey());
  t('Flatten$Value', FlattenValue.OVERVIEW_DOC, () => new FlattenValue());
  t('HeaderFrom$Key', HeaderFromKey.OVERVIEW_DOC, () => new HeaderFromKey());
  t('HeaderFrom$Value', HeaderFromValue.OVERVIEW_DOC, () => new HeaderFromValue());
  t('HoistField$Key', HoistFieldKey.OVERVIEW_DOC, () => new HoistFieldKey());
  t('HoistField$Value', HoistFieldValue.OVERVIEW_DOC, () => new HoistFieldValue());
  t('InsertField$Key', InsertFieldKey.OVERVIEW_DOC, () => new InsertFieldKey());
  t('InsertField$Value', InsertFieldValue.OVERVIEW_DOC, () => new InsertFieldValue());
  t('InsertHeader', InsertHeader.OVERVIEW_DOC, () => new InsertHeader());
  t('MaskField$Key', MaskFieldKey.OVERVIEW_DOC, () => new MaskFieldKey());
  t('MaskField$Value', MaskFieldValue.OVERVIEW_DOC, () => new MaskFieldValue());
  t('RegexRouter', RegexRouter.OVERVIEW_DOC, () => new RegexRouter());
  t('ReplaceField$Key', ReplaceFieldKey.OVERVIEW_DOC, () => new ReplaceFieldKey());
  t('ReplaceField$Value', ReplaceFieldValue.OVERVIEW_DOC, () => new ReplaceFieldValue());
  t('SetSchemaMetadata$Key', SetSchemaMetadataKey.OVERVIEW_DOC, () => new SetSchemaMetadataKey());
  t('SetSchemaMetadata$Value', SetSchemaMetadataValue.OVERVIEW_DOC, () => new SetSchemaMetadataValue());
  t('TimestampConverter$Key', TimestampConverterKey.OVERVIEW_DOC, () => new TimestampConverterKey());
  t('TimestampConverter$Value', TimestampConverterValue.OVERVIEW_DOC, () => new TimestampConverterValue());
  t('TimestampRouter', TimestampRouter.OVERVIEW_DOC, () => new TimestampRouter());
  t('ValueToKey', ValueToKey.OVERVIEW_DOC, () => new ValueToKey());
  p('HasHeaderKey', HasHeaderKey.OVERVIEW_DOC, () => new HasHeaderKey());
  p('RecordIsTombstone', RecordIsTombstone.OVERVIEW_DOC, () => new RecordIsTombstone());
  p('TopicNameMatches', TopicNameMatches.OVERVIEW_DOC, () => new TopicNameMatches());
  return registry;
}

/** A new registry holding Kafka's built-in SMTs and predicates (add plugins to it as needed). */
export function builtinTransformRegistry(): TransformRegistry {
  return registerBuiltins(new TransformRegistry());
}

/** The process-wide registry the worker uses unless given another; plugins register here. */
export const defaultTransformRegistry: TransformRegistry = builtinTransformRegistry();
