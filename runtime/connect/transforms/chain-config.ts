/**
 * The connector config keys that declare a transform chain, as Kafka Connect has them:
 *
 *   transforms=route,mask               aliases, applied in order
 *   transforms.route.type=RegexRouter   class name or alias
 *   transforms.route.<key>=...          the transformation's own keys
 *   transforms.route.predicate=isFoo    apply only when the predicate holds...
 *   transforms.route.negate=true        ...or only when it does not
 *   predicates=isFoo
 *   predicates.isFoo.type=TopicNameMatches
 *   predicates.isFoo.pattern=foo.*
 *
 * transformsBaseConfigDef() defines `transforms` and `predicates`; enrichTransformsConfigDef()
 * adds the per-alias keys for given props, each plugin's own ConfigDef embedded under its prefix
 * (Kafka's ConnectorConfig.enrich), so /config/validate and start-up report every problem with
 * the full key.
 */
import type { ConfigDef, ConfigKey, ConfigKeySpec, ConfigType, Recommender, Validator } from '../config/index.ts';
import { ConfigDef as ConfigDefinition, invalidValue, parseType } from '../config/index.ts';
import type { TransformRegistry } from './registry.ts';

export const TRANSFORMS_CONFIG = 'transforms';
export const PREDICATES_CONFIG = 'predicates';
export const PREDICATE_CONFIG = 'predicate';
export const NEGATE_CONFIG = 'negate';
export const TYPE_CONFIG = 'type';
export const TRANSFORMS_GROUP = 'Transforms';
export const PREDICATES_GROUP = 'Predicates';

/** Kafka's alias validator: a list without duplicates (and, here, without empty names). */
function aliasValidator(kind: string): Validator {
  return {
    description: `list of unique ${kind} aliases`,
    ensureValid(name, value) {
      if (value === null || value === undefined) throw invalidValue(name, value, 'entry must be non null');
      const aliases = value as string[];
      if (aliases.some((a) => a === '')) throw invalidValue(name, aliases, `Empty ${kind} alias provided.`);
      if (new Set(aliases).size < aliases.length) throw invalidValue(name, aliases, 'Duplicate alias provided.');
    },
  };
}

/** `transforms` and `predicates`, for a connector's base ConfigDef. */
export function transformsBaseConfigDef(startingOrder = 0): ConfigDefinition<object> {
  return new ConfigDefinition()
    .define({
      name: TRANSFORMS_CONFIG,
      type: 'LIST',
      default: '',
      validator: aliasValidator('transformation'),
      importance: 'LOW',
      documentation: 'Aliases for the transformations to be applied to records.',
      group: TRANSFORMS_GROUP,
      orderInGroup: startingOrder + 1,
      width: 'LONG',
      displayName: 'Transforms',
    })
    .define({
      name: PREDICATES_CONFIG,
      type: 'LIST',
      default: '',
      validator: aliasValidator('predicate'),
      importance: 'LOW',
      documentation: 'Aliases for the predicates used by transformations.',
      group: PREDICATES_GROUP,
      orderInGroup: startingOrder + 2,
      width: 'LONG',
      displayName: 'Predicates',
    });
}

/** The aliases listed under `key`, or [] when missing or malformed (the base key reports that). */
export function listedAliases(props: Readonly<Record<string, unknown>>, key: string): string[] {
  const raw = props[key];
  if (raw === undefined || raw === null) return [];
  try {
    return [...new Set(parseType(key, raw, 'LIST'))].filter((a) => a !== '');
  } catch {
    return [];
  }
}

function has(props: Readonly<Record<string, unknown>>, key: string): boolean {
  return Object.hasOwn(props, key) && props[key] !== undefined && props[key] !== null;
}

function classRecommender(names: () => string[]): Recommender {
  return { validValues: () => names(), visible: () => true };
}

/**
 * Adds to `def` the keys of every alias listed in `props`: `transforms.<a>.type`, `.predicate`,
 * `.negate` and the transformation's own keys; `predicates.<p>.type` and the predicate's keys.
 * An unknown class gets only its `type` key, whose validator reports it with the choices.
 */
export function enrichTransformsConfigDef<V extends object>(def: ConfigDef<V>, props: Readonly<Record<string, unknown>>, registry: TransformRegistry): ConfigDef<V> {
  const predicateAliases = listedAliases(props, PREDICATES_CONFIG);
  for (const alias of listedAliases(props, TRANSFORMS_CONFIG)) {
    const prefix = `${TRANSFORMS_CONFIG}.${alias}.`;
    const group = `${TRANSFORMS_GROUP}: ${alias}`;
    def.define({
      name: prefix + TYPE_CONFIG,
      type: 'CLASS',
      validator: {
        description: `valid configs for ${alias} transformation`,
        ensureValid(name, value) {
          if (typeof value === 'string' && registry.findTransformation(value) === undefined) throw registry.unknownClassError('transformation', name, value);
        },
      },
      importance: 'HIGH',
      documentation: `Class for the '${alias}' transformation.`,
      group,
      orderInGroup: 0,
      width: 'LONG',
      displayName: `Transformation type for ${alias}`,
      recommender: classRecommender(() => registry.transformations().map((p) => p.className)),
    });
    const implicit = new ConfigDefinition()
      .define({
        name: PREDICATE_CONFIG,
        type: 'STRING',
        default: null,
        validator: {
          description: `an alias listed in ${PREDICATES_CONFIG}`,
          ensureValid(name, value) {
            if (typeof value === 'string' && !predicateAliases.includes(value)) {
              throw invalidValue(name, value, `Predicate alias '${value}' is not listed in '${PREDICATES_CONFIG}' (${predicateAliases.length === 0 ? 'which is empty' : predicateAliases.join(', ')}).`);
            }
          },
        },
        importance: 'MEDIUM',
        documentation: 'The alias of a predicate used to determine whether to apply this transformation.',
      })
      .define({
        name: NEGATE_CONFIG,
        type: 'BOOLEAN',
        default: false,
        validator: {
          description: 'true or false; needs a predicate',
          ensureValid(name) {
            // Called once with the bare name when the default is defined; the real check is on the embedded key.
            if (name !== prefix + NEGATE_CONFIG) return;
            if (has(props, prefix + NEGATE_CONFIG) && !has(props, prefix + PREDICATE_CONFIG)) {
              throw invalidValue(name, props[name], `Config '${name}' was provided but there is no config '${prefix}${PREDICATE_CONFIG}' defining a predicate to be negated.`);
            }
          },
        },
        importance: 'MEDIUM',
        documentation: 'Whether the configured predicate should be negated.',
      });
    const className = props[prefix + TYPE_CONFIG];
    const plugin = typeof className === 'string' ? registry.findTransformation(className.trim()) : undefined;
    if (plugin !== undefined) {
      // The implicit keys mask any of the transformation's keys with the same name (as in Kafka).
      for (const key of plugin.create().config().keys()) if (key.name !== PREDICATE_CONFIG && key.name !== NEGATE_CONFIG) implicit.define(specOf(key));
    }
    def.embed(prefix, group, 1, implicit);
  }
  for (const alias of predicateAliases) {
    const prefix = `${PREDICATES_CONFIG}.${alias}.`;
    const group = `${PREDICATES_GROUP}: ${alias}`;
    def.define({
      name: prefix + TYPE_CONFIG,
      type: 'CLASS',
      validator: {
        description: `valid configs for ${alias} predicate`,
        ensureValid(name, value) {
          if (typeof value === 'string' && registry.findPredicate(value) === undefined) throw registry.unknownClassError('predicate', name, value);
        },
      },
      importance: 'HIGH',
      documentation: `Class for the '${alias}' predicate.`,
      group,
      orderInGroup: 0,
      width: 'LONG',
      displayName: `Predicate type for ${alias}`,
      recommender: classRecommender(() => registry.predicates().map((p) => p.className)),
    });
    const className = props[prefix + TYPE_CONFIG];
    const plugin = typeof className === 'string' ? registry.findPredicate(className.trim()) : undefined;
    if (plugin !== undefined) def.embed(prefix, group, 1, plugin.create().config());
  }
  return def;
}

/** The definition spec of an existing key, to define it again in another ConfigDef. */
function specOf(key: ConfigKey): ConfigKeySpec<string, ConfigType, null> {
  return {
    name: key.name,
    type: key.type,
    ...(key.hasDefault && { default: key.defaultValue as null }),
    ...(key.validator !== null && { validator: key.validator }),
    importance: key.importance,
    documentation: key.documentation,
    ...(key.group !== null && { group: key.group }),
    orderInGroup: key.orderInGroup,
    width: key.width,
    displayName: key.displayName,
    dependents: key.dependents,
    ...(key.recommender !== null && { recommender: key.recommender }),
    internal: key.internal,
  };
}
