/**
 * Confluent's JSON Schema compatibility: the differences between an original (older) and an
 * update (newer) schema, each classified by a change type; a change outside the policy's allowed
 * set makes the pair incompatible. Used as diff(old, new) for BACKWARD and diff(new, old) for
 * FORWARD. Change types, their allowed sets (STRICT and LENIENT) and message texts are
 * Confluent's, so verbose compatibility answers read the same.
 */
import { jsonEquals, type JsonNode } from '../json/json-tree.ts';
import type { CompatibilityPolicy } from '../compatibility.ts';
import {
  isEmptySchema,
  type ArraySchema,
  type CombinedSchema,
  type JsSchema,
  type NumberSchema,
  type ObjectSchema,
  type StringSchema,
} from './json-schema-model.ts';

export type DifferenceType =
  | 'ID_CHANGED' | 'DESCRIPTION_CHANGED' | 'TITLE_CHANGED' | 'DEFAULT_CHANGED'
  | 'SCHEMA_ADDED' | 'SCHEMA_REMOVED' | 'TYPE_EXTENDED' | 'TYPE_NARROWED' | 'TYPE_CHANGED'
  | 'MAX_LENGTH_ADDED' | 'MAX_LENGTH_REMOVED' | 'MAX_LENGTH_INCREASED' | 'MAX_LENGTH_DECREASED'
  | 'MIN_LENGTH_ADDED' | 'MIN_LENGTH_REMOVED' | 'MIN_LENGTH_INCREASED' | 'MIN_LENGTH_DECREASED'
  | 'PATTERN_ADDED' | 'PATTERN_REMOVED' | 'PATTERN_CHANGED'
  | 'MAXIMUM_ADDED' | 'MAXIMUM_REMOVED' | 'MAXIMUM_INCREASED' | 'MAXIMUM_DECREASED'
  | 'MINIMUM_ADDED' | 'MINIMUM_REMOVED' | 'MINIMUM_INCREASED' | 'MINIMUM_DECREASED'
  | 'EXCLUSIVE_MAXIMUM_ADDED' | 'EXCLUSIVE_MAXIMUM_REMOVED' | 'EXCLUSIVE_MAXIMUM_INCREASED' | 'EXCLUSIVE_MAXIMUM_DECREASED'
  | 'EXCLUSIVE_MINIMUM_ADDED' | 'EXCLUSIVE_MINIMUM_REMOVED' | 'EXCLUSIVE_MINIMUM_INCREASED' | 'EXCLUSIVE_MINIMUM_DECREASED'
  | 'MULTIPLE_OF_ADDED' | 'MULTIPLE_OF_REMOVED' | 'MULTIPLE_OF_EXPANDED' | 'MULTIPLE_OF_REDUCED' | 'MULTIPLE_OF_CHANGED'
  | 'REQUIRED_ATTRIBUTE_ADDED' | 'REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED' | 'REQUIRED_ATTRIBUTE_REMOVED'
  | 'MAX_PROPERTIES_ADDED' | 'MAX_PROPERTIES_REMOVED' | 'MAX_PROPERTIES_INCREASED' | 'MAX_PROPERTIES_DECREASED'
  | 'MIN_PROPERTIES_ADDED' | 'MIN_PROPERTIES_REMOVED' | 'MIN_PROPERTIES_INCREASED' | 'MIN_PROPERTIES_DECREASED'
  | 'ADDITIONAL_PROPERTIES_ADDED' | 'ADDITIONAL_PROPERTIES_REMOVED' | 'ADDITIONAL_PROPERTIES_EXTENDED' | 'ADDITIONAL_PROPERTIES_NARROWED'
  | 'DEPENDENCY_ARRAY_ADDED' | 'DEPENDENCY_ARRAY_REMOVED' | 'DEPENDENCY_ARRAY_EXTENDED' | 'DEPENDENCY_ARRAY_NARROWED' | 'DEPENDENCY_ARRAY_CHANGED'
  | 'DEPENDENCY_SCHEMA_ADDED' | 'DEPENDENCY_SCHEMA_REMOVED'
  | 'REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL' | 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL'
  | 'OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL' | 'PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL'
  | 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL' | 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL'
  | 'OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL' | 'PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL'
  | 'PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL' | 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL'
  | 'PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' | 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
  | 'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' | 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
  | 'UNEVALUATED_PROPERTIES_ADDED' | 'UNEVALUATED_PROPERTIES_REMOVED' | 'UNEVALUATED_PROPERTIES_EXTENDED' | 'UNEVALUATED_PROPERTIES_NARROWED'
  | 'MAX_ITEMS_ADDED' | 'MAX_ITEMS_REMOVED' | 'MAX_ITEMS_INCREASED' | 'MAX_ITEMS_DECREASED'
  | 'MIN_ITEMS_ADDED' | 'MIN_ITEMS_REMOVED' | 'MIN_ITEMS_INCREASED' | 'MIN_ITEMS_DECREASED'
  | 'MAX_CONTAINS_ADDED' | 'MAX_CONTAINS_REMOVED' | 'MAX_CONTAINS_INCREASED' | 'MAX_CONTAINS_DECREASED'
  | 'MIN_CONTAINS_ADDED' | 'MIN_CONTAINS_REMOVED' | 'MIN_CONTAINS_INCREASED' | 'MIN_CONTAINS_DECREASED'
  | 'UNIQUE_ITEMS_ADDED' | 'UNIQUE_ITEMS_REMOVED'
  | 'ADDITIONAL_ITEMS_ADDED' | 'ADDITIONAL_ITEMS_REMOVED' | 'ADDITIONAL_ITEMS_EXTENDED' | 'ADDITIONAL_ITEMS_NARROWED'
  | 'UNEVALUATED_ITEMS_ADDED' | 'UNEVALUATED_ITEMS_REMOVED' | 'UNEVALUATED_ITEMS_EXTENDED' | 'UNEVALUATED_ITEMS_NARROWED'
  | 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL' | 'ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL' | 'ITEM_ADDED_TO_CLOSED_CONTENT_MODEL'
  | 'ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL' | 'ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL' | 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL'
  | 'ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' | 'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
  | 'ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' | 'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
  | 'ENUM_ARRAY_EXTENDED' | 'ENUM_ARRAY_NARROWED' | 'ENUM_ARRAY_CHANGED'
  | 'COMBINED_TYPE_EXTENDED' | 'COMBINED_TYPE_CHANGED' | 'PRODUCT_TYPE_EXTENDED' | 'PRODUCT_TYPE_NARROWED'
  | 'SUM_TYPE_EXTENDED' | 'SUM_TYPE_NARROWED' | 'COMBINED_TYPE_SUBSCHEMAS_CHANGED' | 'NOT_TYPE_EXTENDED' | 'NOT_TYPE_NARROWED';

export interface Difference {
  type: DifferenceType;
  /** "#/properties/a" style path. */
  jsonPath: string;
}

const STRICT_CHANGES: DifferenceType[] = [
  'ID_CHANGED', 'DESCRIPTION_CHANGED', 'TITLE_CHANGED', 'DEFAULT_CHANGED', 'SCHEMA_REMOVED', 'TYPE_EXTENDED',
  'MAX_LENGTH_INCREASED', 'MAX_LENGTH_REMOVED', 'MIN_LENGTH_DECREASED', 'MIN_LENGTH_REMOVED', 'PATTERN_REMOVED',
  'MAXIMUM_INCREASED', 'MAXIMUM_REMOVED', 'MINIMUM_DECREASED', 'MINIMUM_REMOVED',
  'EXCLUSIVE_MAXIMUM_INCREASED', 'EXCLUSIVE_MAXIMUM_REMOVED', 'EXCLUSIVE_MINIMUM_DECREASED', 'EXCLUSIVE_MINIMUM_REMOVED',
  'MULTIPLE_OF_REDUCED', 'MULTIPLE_OF_REMOVED',
  'REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED', 'REQUIRED_ATTRIBUTE_REMOVED', 'DEPENDENCY_ARRAY_NARROWED', 'DEPENDENCY_ARRAY_REMOVED',
  'DEPENDENCY_SCHEMA_REMOVED', 'MAX_PROPERTIES_INCREASED', 'MAX_PROPERTIES_REMOVED', 'MIN_PROPERTIES_DECREASED', 'MIN_PROPERTIES_REMOVED',
  'ADDITIONAL_PROPERTIES_ADDED', 'ADDITIONAL_PROPERTIES_EXTENDED', 'UNEVALUATED_PROPERTIES_ADDED', 'UNEVALUATED_PROPERTIES_EXTENDED',
  'PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL', 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL',
  'OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL', 'PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL',
  'PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL', 'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
  'PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
  'MAX_ITEMS_INCREASED', 'MAX_ITEMS_REMOVED', 'MIN_ITEMS_DECREASED', 'MIN_ITEMS_REMOVED',
  'MAX_CONTAINS_INCREASED', 'MAX_CONTAINS_REMOVED', 'MIN_CONTAINS_DECREASED', 'MIN_CONTAINS_REMOVED',
  'UNIQUE_ITEMS_REMOVED', 'ADDITIONAL_ITEMS_ADDED', 'ADDITIONAL_ITEMS_EXTENDED', 'UNEVALUATED_ITEMS_ADDED', 'UNEVALUATED_ITEMS_EXTENDED',
  'ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL', 'ITEM_ADDED_TO_CLOSED_CONTENT_MODEL',
  'ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL', 'ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL',
  'ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', 'ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
  'ENUM_ARRAY_EXTENDED', 'COMBINED_TYPE_EXTENDED', 'PRODUCT_TYPE_NARROWED', 'SUM_TYPE_EXTENDED', 'NOT_TYPE_NARROWED',
];

const LENIENT_EXTRA: DifferenceType[] = [
  'ADDITIONAL_PROPERTIES_NARROWED', 'ADDITIONAL_PROPERTIES_REMOVED', 'UNEVALUATED_PROPERTIES_NARROWED', 'UNEVALUATED_PROPERTIES_REMOVED',
  'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL', 'OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL',
  'PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL', 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
  'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
];

export const COMPATIBLE_CHANGES_STRICT: ReadonlySet<DifferenceType> = new Set(STRICT_CHANGES);
export const COMPATIBLE_CHANGES_LENIENT: ReadonlySet<DifferenceType> = new Set([...STRICT_CHANGES, ...LENIENT_EXTRA]);

export const compatibleChanges = (policy: CompatibilityPolicy): ReadonlySet<DifferenceType> =>
  policy === 'LENIENT' ? COMPATIBLE_CHANGES_LENIENT : COMPATIBLE_CHANGES_STRICT;

// ---- messages (Confluent's Difference.toString, including its quote mismatch) ----

const KEYWORD_ADDED_OR_REMOVED = new Set<DifferenceType>([
  'MAXIMUM_ADDED', 'MINIMUM_ADDED', 'EXCLUSIVE_MAXIMUM_ADDED', 'EXCLUSIVE_MINIMUM_ADDED', 'MULTIPLE_OF_ADDED',
  'MAX_LENGTH_ADDED', 'MIN_LENGTH_ADDED', 'PATTERN_ADDED', 'REQUIRED_ATTRIBUTE_ADDED', 'MAX_PROPERTIES_ADDED', 'MIN_PROPERTIES_ADDED',
  'DEPENDENCY_ARRAY_ADDED', 'DEPENDENCY_SCHEMA_ADDED', 'MAX_ITEMS_ADDED', 'MIN_ITEMS_ADDED', 'MAX_CONTAINS_ADDED', 'MIN_CONTAINS_ADDED',
  'UNIQUE_ITEMS_ADDED', 'ADDITIONAL_ITEMS_REMOVED', 'ADDITIONAL_PROPERTIES_REMOVED', 'UNEVALUATED_PROPERTIES_REMOVED', 'UNEVALUATED_ITEMS_REMOVED',
]);
const VALUE_INCREASED = new Set<DifferenceType>([
  'MIN_LENGTH_INCREASED', 'MINIMUM_INCREASED', 'EXCLUSIVE_MINIMUM_INCREASED', 'MIN_PROPERTIES_INCREASED', 'MULTIPLE_OF_EXPANDED',
  'MIN_ITEMS_INCREASED', 'MIN_CONTAINS_INCREASED',
]);
const VALUE_DECREASED = new Set<DifferenceType>([
  'MAX_LENGTH_DECREASED', 'MAXIMUM_DECREASED', 'MAX_ITEMS_DECREASED', 'MAX_CONTAINS_DECREASED', 'EXCLUSIVE_MAXIMUM_DECREASED', 'MAX_PROPERTIES_DECREASED',
]);
const TYPE_NARROWED_SET = new Set<DifferenceType>([
  'ADDITIONAL_ITEMS_NARROWED', 'ENUM_ARRAY_NARROWED', 'SUM_TYPE_NARROWED', 'ADDITIONAL_PROPERTIES_NARROWED',
  'UNEVALUATED_PROPERTIES_NARROWED', 'UNEVALUATED_ITEMS_NARROWED',
]);
const VALUE_CHANGED = new Set<DifferenceType>(['PATTERN_CHANGED', 'MULTIPLE_OF_CHANGED', 'DEPENDENCY_ARRAY_CHANGED']);
const TYPE_CHANGED_SET = new Set<DifferenceType>(['TYPE_CHANGED', 'TYPE_NARROWED', 'COMBINED_TYPE_CHANGED', 'COMBINED_TYPE_SUBSCHEMAS_CHANGED', 'ENUM_ARRAY_CHANGED']);
const TYPE_EXTENDED_SET = new Set<DifferenceType>(['DEPENDENCY_ARRAY_EXTENDED', 'PRODUCT_TYPE_EXTENDED', 'SUM_TYPE_EXTENDED', 'NOT_TYPE_EXTENDED']);
const ADDED_TO_OPEN = new Set<DifferenceType>([
  'REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL', 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL',
  'OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL', 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL',
]);

function description(type: DifferenceType, path: string): string {
  if (KEYWORD_ADDED_OR_REMOVED.has(type)) return `The keyword at path '${path}' in the %s schema is not present in the %s schema`;
  if (VALUE_INCREASED.has(type)) return `The value at path '${path}' in the %s schema is more than its value in the %s schema`;
  if (VALUE_DECREASED.has(type)) return `The value at path '${path}' in the %s schema is less than its value in the %s schema`;
  if (VALUE_CHANGED.has(type)) return `The value at path '${path}' is different between the %s and %s schema`;
  if (TYPE_NARROWED_SET.has(type)) return `An array or combined type at path '${path}' has fewer elements in the %s schema than the %s schema`;
  if (TYPE_EXTENDED_SET.has(type)) return `An array or combined type at path '${path}' has more elements in the %s schema than the %s schema`;
  if (TYPE_CHANGED_SET.has(type)) return `A type at path '${path}' is different between the %s schema and the %s schema`;
  if (ADDED_TO_OPEN.has(type)) return `The %s schema has an open content model and has a property or item at path '${path}' which is missing in the %s schema`;
  switch (type) {
    case 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL':
      return `The %s schema has an unopen content model and has a required property at path '${path}' which is missing in the %s schema`;
    case 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL':
    case 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL':
      return `The %s has a closed content model and is missing a property or item present at path '${path}' in the %s schema`;
    case 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL':
    case 'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL':
      return `A property or item is missing in the %s schema but present at path '${path}' in the %s schema and is not covered by its partially open content model`;
    case 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL':
    case 'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL':
      return `The %s schema has a property or item at path '${path}' which is missing in the %s schema and is not covered by its partially open content model`;
    default:
      return '';
  }
}

/** Confluent's text for a difference; the two %s are "new"/"old" in reader-first order. */
export function describeDifference(d: Difference): string {
  return `{errorType:"${d.type}", description:"${description(d.type, d.jsonPath)}'}`;
}

// ---- comparison context (path, memo over schema pairs, cycle handling) ----

type PairMemo = Map<JsSchema, Map<JsSchema, Difference[]>>;

class Context {
  readonly allowed: ReadonlySet<DifferenceType>;
  readonly memo: PairMemo;
  readonly inProgress: Map<JsSchema, Set<JsSchema>>;
  readonly seed: PairMemo;
  readonly optimism: { used: boolean };
  readonly path: string[] = [];
  readonly diffs: Difference[] = [];

  constructor(allowed: ReadonlySet<DifferenceType>, memo: PairMemo, inProgress: Map<JsSchema, Set<JsSchema>>, seed: PairMemo, optimism: { used: boolean }) {
    this.allowed = allowed;
    this.memo = memo;
    this.inProgress = inProgress;
    this.seed = seed;
    this.optimism = optimism;
  }

  sub(): Context {
    const c = new Context(this.allowed, this.memo, this.inProgress, this.seed, this.optimism);
    c.path.push(...this.path);
    return c;
  }

  private fresh(): Context {
    return new Context(this.allowed, this.memo, this.inProgress, this.seed, this.optimism);
  }

  pathString(): string {
    return `#/${this.path.join('/')}`;
  }

  add(type: DifferenceType, attribute?: string): void {
    if (attribute !== undefined) this.path.push(attribute);
    this.diffs.push({ type, jsonPath: this.pathString() });
    if (attribute !== undefined) this.path.pop();
  }

  addAll(diffs: readonly Difference[]): void {
    this.diffs.push(...diffs);
  }

  within(segment: string, fn: () => void): void {
    this.path.push(segment);
    try {
      fn();
    } finally {
      this.path.pop();
    }
  }

  isCompatible(): boolean {
    return this.diffs.every((d) => this.allowed.has(d.type));
  }

  /** Compares a pair once; a pair met again while being compared (a cycle) counts as compatible for now. */
  memoized(original: JsSchema, update: JsSchema, compare: (ctx: Context) => void): Difference[] {
    const cached = this.memo.get(original)?.get(update);
    if (cached) return cached;
    let active = this.inProgress.get(original);
    if (!active) this.inProgress.set(original, (active = new Set()));
    if (active.has(update)) {
      const seeded = this.seed.get(original)?.get(update);
      if (seeded) return seeded;
      this.optimism.used = true;
      return [];
    }
    active.add(update);
    try {
      const ctx = this.fresh();
      compare(ctx);
      let byUpdate = this.memo.get(original);
      if (!byUpdate) this.memo.set(original, (byUpdate = new Map()));
      byUpdate.set(update, ctx.diffs);
      return ctx.diffs;
    } finally {
      active.delete(update);
    }
  }

  addRebased(relative: readonly Difference[]): void {
    if (this.path.length === 0) {
      this.diffs.push(...relative);
      return;
    }
    const prefix = this.pathString();
    for (const d of relative) this.diffs.push({ type: d.type, jsonPath: d.jsonPath.length <= 2 ? prefix : `${prefix}/${d.jsonPath.slice(2)}` });
  }

  incompatiblePairs(): PairMemo {
    const out: PairMemo = new Map();
    for (const [o, byUpdate] of this.memo) {
      for (const [u, diffs] of byUpdate) {
        if (diffs.some((d) => !this.allowed.has(d.type))) {
          let m = out.get(o);
          if (!m) out.set(o, (m = new Map()));
          m.set(u, diffs);
        }
      }
    }
    return out;
  }
}

const pairCount = (m: PairMemo): number => [...m.values()].reduce((n, x) => n + x.size, 0);

/** All differences from `original` to `update` under the policy's allowed change set. */
export function diffSchemas(allowed: ReadonlySet<DifferenceType>, original: JsSchema, update: JsSchema): Difference[] {
  // Cycles are cut optimistically; repeat with the pairs found incompatible until nothing changes.
  let seed: PairMemo = new Map();
  for (;;) {
    const optimism = { used: false };
    const ctx = new Context(allowed, new Map(), new Map(), seed, optimism);
    compare(ctx, original, update);
    const incompatible = ctx.incompatiblePairs();
    if (!optimism.used || pairCount(incompatible) === pairCount(seed)) return ctx.diffs;
    seed = incompatible;
  }
}

function deref(s: JsSchema): JsSchema {
  let cur = s;
  const seen = new Set<JsSchema>();
  while (cur.kind === 'ref') {
    if (seen.has(cur)) break;
    seen.add(cur);
    cur = cur.target();
  }
  return cur;
}

function compare(ctx: Context, original: JsSchema | undefined, update: JsSchema | undefined): void {
  if (original === undefined && update === undefined) return;
  if (original === undefined) return ctx.add('SCHEMA_ADDED');
  if (update === undefined) return ctx.add('SCHEMA_REMOVED');
  const o = deref(original);
  const u = deref(update);
  ctx.addRebased(ctx.memoized(o, u, (sub) => compareTypes(sub, o, u)));
}

const sameClass = (a: JsSchema, b: JsSchema): boolean => a.kind === b.kind;

function compareTypes(ctx: Context, original: JsSchema, update: JsSchema): void {
  if (original.kind !== 'combined' && update.kind === 'combined') {
    if (update.subschemas.length === 1) {
      const sub = ctx.sub();
      compare(sub, original, update.subschemas[0]);
      if (sub.isCompatible()) return ctx.addAll(sub.diffs);
    } else if (update.criterion === 'anyOf' || update.criterion === 'oneOf') {
      for (const subschema of update.subschemas) {
        const sub = ctx.sub();
        compare(sub, original, subschema);
        if (sub.isCompatible()) {
          ctx.addAll(sub.diffs);
          return ctx.add('SUM_TYPE_EXTENDED');
        }
      }
    }
  } else if (original.kind === 'combined' && update.kind !== 'combined') {
    if (original.subschemas.length === 1) {
      const sub = ctx.sub();
      compare(sub, original.subschemas[0], update);
      if (sub.isCompatible()) return ctx.addAll(sub.diffs);
    } else if (original.criterion === 'allOf') {
      for (const subschema of original.subschemas) {
        const sub = ctx.sub();
        compare(sub, subschema, update);
        if (sub.isCompatible()) {
          ctx.addAll(sub.diffs);
          return ctx.add('PRODUCT_TYPE_NARROWED');
        }
      }
    }
  }

  if (!sameClass(original, update)) {
    if (original.kind === 'false' || isEmptySchema(update)) return;
    // Kafka Connect marks bytes with connect.type; two such schemas count as the same type.
    if (original.connectType === 'bytes' && update.connectType === 'bytes') return;
    return ctx.add('TYPE_CHANGED');
  }

  if (original.id !== update.id) ctx.add('ID_CHANGED');
  if (original.title !== update.title) ctx.add('TITLE_CHANGED');
  if (original.description !== update.description) ctx.add('DESCRIPTION_CHANGED');
  if (!defaultsEqual(original.default, update.default)) ctx.add('DEFAULT_CHANGED');

  switch (original.kind) {
    case 'string':
      return compareString(ctx, original, update as StringSchema);
    case 'number':
      return compareNumber(ctx, original, update as NumberSchema);
    case 'const':
      if (!jsonEquals(original.value, (update as typeof original).value)) ctx.add('ENUM_ARRAY_CHANGED', 'const');
      return;
    case 'enum':
      return compareEnum(ctx, original.values, (update as typeof original).values);
    case 'combined':
      return compareCombined(ctx, original, update as CombinedSchema);
    case 'not':
      return ctx.within('not', () => {
        const sub = ctx.sub();
        // The wrapped schemas swap roles: what the new "not" excludes must be excluded before.
        compare(sub, (update as typeof original).not, original.not);
        ctx.add(sub.isCompatible() ? 'NOT_TYPE_NARROWED' : 'NOT_TYPE_EXTENDED');
      });
    case 'object':
      return compareObject(ctx, original, update as ObjectSchema);
    case 'array':
      return compareArray(ctx, original, update as ArraySchema);
    default:
      return;
  }
}

function defaultsEqual(a: JsonNode | undefined, b: JsonNode | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return jsonEquals(a, b);
}

function compareLimit(
  ctx: Context,
  attribute: string,
  original: number | undefined,
  update: number | undefined,
  types: [DifferenceType, DifferenceType, DifferenceType, DifferenceType],
): void {
  if (original === update) return;
  const [added, removed, increased, decreased] = types;
  if (original === undefined) ctx.add(added, attribute);
  else if (update === undefined) ctx.add(removed, attribute);
  else if (original < update) ctx.add(increased, attribute);
  else if (original > update) ctx.add(decreased, attribute);
}

function compareString(ctx: Context, o: StringSchema, u: StringSchema): void {
  compareLimit(ctx, 'maxLength', o.maxLength, u.maxLength, ['MAX_LENGTH_ADDED', 'MAX_LENGTH_REMOVED', 'MAX_LENGTH_INCREASED', 'MAX_LENGTH_DECREASED']);
  compareLimit(ctx, 'minLength', o.minLength, u.minLength, ['MIN_LENGTH_ADDED', 'MIN_LENGTH_REMOVED', 'MIN_LENGTH_INCREASED', 'MIN_LENGTH_DECREASED']);
  if (o.pattern === undefined && u.pattern !== undefined) ctx.add('PATTERN_ADDED', 'pattern');
  else if (o.pattern !== undefined && u.pattern === undefined) ctx.add('PATTERN_REMOVED', 'pattern');
  else if (o.pattern !== u.pattern) ctx.add('PATTERN_CHANGED', 'pattern');
}

/** Exact decimal value of a JSON number literal as (digits, scale). */
function decimal(lexeme: string): { unscaled: bigint; scale: number } {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(lexeme);
  if (!m) return { unscaled: 0n, scale: 0 };
  const [, sign, int, frac = '', exp = '0'] = m;
  let scale = frac.length - Number(exp);
  let unscaled = BigInt(`${sign}${int}${frac}`);
  if (scale < 0) {
    unscaled *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { unscaled, scale };
}

/** a mod b == 0 for exact decimals (b non-zero). */
function divides(b: string, a: string): boolean {
  const x = decimal(a);
  const y = decimal(b);
  const scale = Math.max(x.scale, y.scale);
  const xa = x.unscaled * 10n ** BigInt(scale - x.scale);
  const yb = y.unscaled * 10n ** BigInt(scale - y.scale);
  return yb !== 0n && xa % yb === 0n;
}

const isZero = (lexeme: string): boolean => decimal(lexeme).unscaled === 0n;

function compareNumber(ctx: Context, o: NumberSchema, u: NumberSchema): void {
  compareLimit(ctx, 'maximum', o.maximum, u.maximum, ['MAXIMUM_ADDED', 'MAXIMUM_REMOVED', 'MAXIMUM_INCREASED', 'MAXIMUM_DECREASED']);
  compareLimit(ctx, 'minimum', o.minimum, u.minimum, ['MINIMUM_ADDED', 'MINIMUM_REMOVED', 'MINIMUM_INCREASED', 'MINIMUM_DECREASED']);
  compareLimit(ctx, 'exclusiveMaximum', o.exclusiveMaximum, u.exclusiveMaximum, [
    'EXCLUSIVE_MAXIMUM_ADDED',
    'EXCLUSIVE_MAXIMUM_REMOVED',
    'EXCLUSIVE_MAXIMUM_INCREASED',
    'EXCLUSIVE_MAXIMUM_DECREASED',
  ]);
  compareLimit(ctx, 'exclusiveMinimum', o.exclusiveMinimum, u.exclusiveMinimum, [
    'EXCLUSIVE_MINIMUM_ADDED',
    'EXCLUSIVE_MINIMUM_REMOVED',
    'EXCLUSIVE_MINIMUM_INCREASED',
    'EXCLUSIVE_MINIMUM_DECREASED',
  ]);
  const om = o.multipleOf;
  const um = u.multipleOf;
  const equal = om === undefined ? um === undefined : um !== undefined && divides(om, um) && divides(um, om);
  if (!equal) {
    if (om === undefined) ctx.add('MULTIPLE_OF_ADDED', 'multipleOf');
    else if (um === undefined) ctx.add('MULTIPLE_OF_REMOVED', 'multipleOf');
    else if (!isZero(om) && divides(om, um)) ctx.add('MULTIPLE_OF_EXPANDED', 'multipleOf');
    else if (!isZero(um) && divides(um, om)) ctx.add('MULTIPLE_OF_REDUCED', 'multipleOf');
    else ctx.add('MULTIPLE_OF_CHANGED', 'multipleOf');
  }
  if (o.requiresInteger !== u.requiresInteger) ctx.add(o.requiresInteger ? 'TYPE_EXTENDED' : 'TYPE_NARROWED');
}

const containsAll = (a: readonly JsonNode[], b: readonly JsonNode[]): boolean => b.every((x) => a.some((y) => jsonEquals(x, y)));

function compareEnum(ctx: Context, o: readonly JsonNode[], u: readonly JsonNode[]): void {
  // Enum values compare as sets (Everit keeps them in a set).
  if (containsAll(o, u) && containsAll(u, o)) return;
  if (containsAll(u, o)) ctx.add('ENUM_ARRAY_EXTENDED', 'enum');
  else if (containsAll(o, u)) ctx.add('ENUM_ARRAY_NARROWED', 'enum');
  else ctx.add('ENUM_ARRAY_CHANGED', 'enum');
}

function compareCombined(ctx: Context, o: CombinedSchema, u: CombinedSchema): void {
  const singleton = (s: CombinedSchema) => s.subschemas.length === 1;
  if (o.criterion !== u.criterion) {
    const extended =
      u.criterion === 'anyOf' ||
      (singleton(o) && singleton(u)) ||
      (singleton(o) && u.criterion === 'oneOf') ||
      (singleton(u) && o.criterion === 'allOf');
    ctx.add(extended ? 'COMBINED_TYPE_EXTENDED' : 'COMBINED_TYPE_CHANGED');
    if (!extended) return;
  }
  const dedupe = (list: JsSchema[]) => [...new Map(list.map((s) => [s.key, s])).values()];
  const originals = dedupe(o.subschemas);
  const updates = dedupe(u.subschemas);
  if (originals.length < updates.length) ctx.add(u.criterion === 'allOf' ? 'PRODUCT_TYPE_EXTENDED' : 'SUM_TYPE_EXTENDED');
  else if (originals.length > updates.length) ctx.add(o.criterion === 'allOf' ? 'PRODUCT_TYPE_NARROWED' : 'SUM_TYPE_NARROWED');

  // Compatible (original, update) pairs, then a maximum matching between the two sides.
  const edges = new Map<number, Map<number, Difference[]>>();
  originals.forEach((os, i) => {
    ctx.within(`${o.criterion}/${i}`, () => {
      updates.forEach((us, j) => {
        const sub = ctx.sub();
        compare(sub, os, us);
        if (sub.isCompatible()) {
          let m = edges.get(i);
          if (!m) edges.set(i, (m = new Map()));
          m.set(j, sub.diffs);
        }
      });
    });
  });
  const matchOfUpdate = maximumMatching(originals.length, edges);
  for (const [j, i] of matchOfUpdate) ctx.addAll(edges.get(i)?.get(j) ?? []);
  if (matchOfUpdate.size < Math.min(originals.length, updates.length)) ctx.add('COMBINED_TYPE_SUBSCHEMAS_CHANGED');
}

/** Maximum bipartite matching (augmenting paths); returns update index → original index. */
function maximumMatching(left: number, edges: Map<number, Map<number, unknown>>): Map<number, number> {
  const matchOfRight = new Map<number, number>();
  const tryAssign = (i: number, visited: Set<number>): boolean => {
    for (const j of edges.get(i)?.keys() ?? []) {
      if (visited.has(j)) continue;
      visited.add(j);
      const current = matchOfRight.get(j);
      if (current === undefined || tryAssign(current, visited)) {
        matchOfRight.set(j, i);
        return true;
      }
    }
    return false;
  };
  for (let i = 0; i < left; i++) tryAssign(i, new Set());
  return matchOfRight;
}

/** Java's String.hashCode. */
function javaHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * The iteration order of Java's `new HashSet<>(first); addAll(second)` — the order Confluent
 * walks property names in, which decides the order of its messages.
 */
export function javaHashSetOrder(first: readonly string[], second: readonly string[]): string[] {
  const items = [...new Set([...first, ...second])];
  let capacity = 1;
  const initial = Math.max(Math.floor(new Set(first).size / 0.75) + 1, 16);
  while (capacity < initial) capacity *= 2;
  let size = 0;
  for (let n = 0; n < items.length; n++) {
    size++;
    if (size > capacity * 0.75) capacity *= 2;
  }
  const bucket = (s: string) => {
    const h = javaHash(s);
    return (h ^ (h >>> 16)) & (capacity - 1);
  };
  return items.map((s, i) => ({ s, i, b: bucket(s) })).sort((x, y) => x.b - y.b || x.i - y.i).map((x) => x.s);
}

function isOpenObject(s: ObjectSchema): boolean {
  if (!s.permitsAdditionalProperties || s.additionalPropertiesSchema !== undefined || s.patternProperties.length > 0) return false;
  const u = s.unevaluatedProperties;
  return u === undefined || isEmptySchema(u);
}

function partialObjectSchema(s: ObjectSchema, property: string): JsSchema | undefined {
  for (const { pattern, schema } of s.patternProperties) if (pattern.test(property)) return schema;
  if (s.additionalPropertiesSchema !== undefined) return s.additionalPropertiesSchema;
  if (s.permitsAdditionalProperties) {
    const u = s.unevaluatedProperties;
    if (u !== undefined && u.kind !== 'false' && !isEmptySchema(u)) return u;
  }
  return undefined;
}

const hasDefault = (s: JsSchema): boolean => s.default !== undefined;

function compareObject(ctx: Context, o: ObjectSchema, u: ObjectSchema): void {
  ctx.within('required', () => {
    for (const key of o.properties.keys()) {
      if (!u.properties.has(key)) continue;
      ctx.within(key, () => {
        const wasRequired = o.required.includes(key);
        const isRequired = u.required.includes(key);
        if (wasRequired && !isRequired) ctx.add('REQUIRED_ATTRIBUTE_REMOVED');
        else if (!wasRequired && isRequired) {
          ctx.add(hasDefault(u.properties.get(key) as JsSchema) ? 'REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED' : 'REQUIRED_ATTRIBUTE_ADDED');
        }
      });
    }
  });
  ctx.within('properties', () => {
    for (const key of javaHashSetOrder([...o.properties.keys()], [...u.properties.keys()])) {
      ctx.within(key, () => compareProperty(ctx, o, u, key));
    }
  });
  ctx.within('dependencies', () => {
    for (const key of javaHashSetOrder([...o.propertyDependencies.keys()], [...u.propertyDependencies.keys()])) {
      ctx.within(key, () => {
        const od = o.propertyDependencies.get(key);
        const ud = u.propertyDependencies.get(key);
        if (ud === undefined) ctx.add('DEPENDENCY_ARRAY_REMOVED');
        else if (od === undefined) ctx.add('DEPENDENCY_ARRAY_ADDED');
        else {
          const sameSet = od.every((x) => ud.includes(x)) && ud.every((x) => od.includes(x));
          if (!sameSet) {
            if (od.every((x) => ud.includes(x))) ctx.add('DEPENDENCY_ARRAY_EXTENDED');
            else if (ud.every((x) => od.includes(x))) ctx.add('DEPENDENCY_ARRAY_NARROWED');
            else ctx.add('DEPENDENCY_ARRAY_CHANGED');
          }
        }
      });
    }
    for (const key of javaHashSetOrder([...o.schemaDependencies.keys()], [...u.schemaDependencies.keys()])) {
      ctx.within(key, () => {
        const os = o.schemaDependencies.get(key);
        const us = u.schemaDependencies.get(key);
        if (us === undefined) ctx.add('DEPENDENCY_SCHEMA_REMOVED');
        else if (os === undefined) ctx.add('DEPENDENCY_SCHEMA_ADDED');
        else compare(ctx, os, us);
      });
    }
  });
  ctx.within('additionalProperties', () => {
    if (o.permitsAdditionalProperties !== u.permitsAdditionalProperties) {
      ctx.add(u.permitsAdditionalProperties ? 'ADDITIONAL_PROPERTIES_ADDED' : 'ADDITIONAL_PROPERTIES_REMOVED');
    } else if (o.additionalPropertiesSchema === undefined && u.additionalPropertiesSchema !== undefined) {
      ctx.add('ADDITIONAL_PROPERTIES_NARROWED');
    } else if (u.additionalPropertiesSchema === undefined && o.additionalPropertiesSchema !== undefined) {
      ctx.add('ADDITIONAL_PROPERTIES_EXTENDED');
    } else compare(ctx, o.additionalPropertiesSchema, u.additionalPropertiesSchema);
  });
  compareUnevaluated(ctx, 'unevaluatedProperties', o.unevaluatedProperties, u.unevaluatedProperties, [
    'UNEVALUATED_PROPERTIES_ADDED',
    'UNEVALUATED_PROPERTIES_REMOVED',
    'UNEVALUATED_PROPERTIES_EXTENDED',
    'UNEVALUATED_PROPERTIES_NARROWED',
  ]);
  compareLimit(ctx, 'maxProperties', o.maxProperties, u.maxProperties, [
    'MAX_PROPERTIES_ADDED',
    'MAX_PROPERTIES_REMOVED',
    'MAX_PROPERTIES_INCREASED',
    'MAX_PROPERTIES_DECREASED',
  ]);
  compareLimit(ctx, 'minProperties', o.minProperties, u.minProperties, [
    'MIN_PROPERTIES_ADDED',
    'MIN_PROPERTIES_REMOVED',
    'MIN_PROPERTIES_INCREASED',
    'MIN_PROPERTIES_DECREASED',
  ]);
}

function compareProperty(ctx: Context, o: ObjectSchema, u: ObjectSchema, key: string): void {
  const os = o.properties.get(key);
  const us = u.properties.get(key);
  if (us === undefined) {
    // Removing is judged by the update's content model: only an open one still accepts the property.
    if (isOpenObject(u)) return ctx.add('PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL');
    const partial = partialObjectSchema(u, key);
    if (partial !== undefined) {
      const sub = ctx.sub();
      compare(sub, os, partial);
      ctx.addAll(sub.diffs);
      return ctx.add(sub.isCompatible() ? 'PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' : 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL');
    }
    return ctx.add(os?.kind === 'false' ? 'PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL' : 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL');
  }
  if (os === undefined) {
    // Adding is judged by the original's content model: an open one may already have carried it.
    if (isOpenObject(o)) {
      if (isEmptySchema(us)) return ctx.add('PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL');
      if (u.required.includes(key)) {
        return ctx.add(hasDefault(us) ? 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL' : 'REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL');
      }
      return ctx.add('OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL');
    }
    const partial = partialObjectSchema(o, key);
    if (partial !== undefined) {
      const sub = ctx.sub();
      compare(sub, partial, us);
      ctx.addAll(sub.diffs);
      ctx.add(sub.isCompatible() ? 'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' : 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL');
    }
    if (u.required.includes(key)) {
      return ctx.add(hasDefault(us) ? 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL' : 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL');
    }
    return ctx.add('OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL');
  }
  compare(ctx, os, us);
}

function compareUnevaluated(
  ctx: Context,
  attribute: string,
  o: JsSchema | undefined,
  u: JsSchema | undefined,
  [added, removed, extended, narrowed]: [DifferenceType, DifferenceType, DifferenceType, DifferenceType],
): void {
  if (o === undefined && u === undefined) return;
  ctx.within(attribute, () => {
    if (o === undefined) ctx.add(u?.kind === 'false' ? removed : narrowed);
    else if (u === undefined) ctx.add(o.kind === 'false' ? added : extended);
    else if (o.kind === 'false' && u.kind !== 'false') ctx.add(added);
    else if (o.kind !== 'false' && u.kind === 'false') ctx.add(removed);
    else if (isEmptySchema(o) && !isEmptySchema(u)) ctx.add(narrowed);
    else if (!isEmptySchema(o) && isEmptySchema(u)) ctx.add(extended);
    else compare(ctx, o, u);
  });
}

function isOpenArray(s: ArraySchema): boolean {
  if (!s.permitsAdditionalItems || s.additionalItemsSchema !== undefined) return false;
  const u = s.unevaluatedItems;
  return u === undefined || isEmptySchema(u);
}

function partialArraySchema(s: ArraySchema): JsSchema | undefined {
  if (s.additionalItemsSchema !== undefined) return s.additionalItemsSchema;
  if (s.permitsAdditionalItems) {
    const u = s.unevaluatedItems;
    if (u !== undefined && u.kind !== 'false' && !isEmptySchema(u)) return u;
  }
  return undefined;
}

function compareArray(ctx: Context, o: ArraySchema, u: ArraySchema): void {
  ctx.within('items', () => compare(ctx, o.allItemSchema, u.allItemSchema));
  const os = o.itemSchemas ?? [];
  const us = u.itemSchemas ?? [];
  const common = Math.min(os.length, us.length);
  for (let i = 0; i < common; i++) ctx.within(`items/${i}`, () => compare(ctx, os[i], us[i]));
  for (let i = common; i < os.length; i++) {
    ctx.within(`items/${i}`, () => {
      if (isOpenArray(u)) return ctx.add('ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL');
      const partial = partialArraySchema(u);
      if (partial !== undefined) {
        const sub = ctx.sub();
        compare(sub, os[i], partial);
        ctx.addAll(sub.diffs);
        return ctx.add(sub.isCompatible() ? 'ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' : 'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL');
      }
      return ctx.add(os[i].kind === 'false' ? 'ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL' : 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL');
    });
  }
  for (let i = common; i < us.length; i++) {
    ctx.within(`items/${i}`, () => {
      if (isOpenArray(o)) return ctx.add(isEmptySchema(us[i]) ? 'ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL' : 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL');
      const partial = partialArraySchema(o);
      if (partial !== undefined) {
        const sub = ctx.sub();
        compare(sub, partial, us[i]);
        ctx.addAll(sub.diffs);
        return ctx.add(sub.isCompatible() ? 'ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' : 'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL');
      }
      return ctx.add('ITEM_ADDED_TO_CLOSED_CONTENT_MODEL');
    });
  }
  ctx.within('additionalItems', () => {
    if (o.permitsAdditionalItems !== u.permitsAdditionalItems) ctx.add(o.permitsAdditionalItems ? 'ADDITIONAL_ITEMS_REMOVED' : 'ADDITIONAL_ITEMS_ADDED');
    else if (o.additionalItemsSchema === undefined && u.additionalItemsSchema !== undefined) ctx.add('ADDITIONAL_ITEMS_NARROWED');
    else if (u.additionalItemsSchema === undefined && o.additionalItemsSchema !== undefined) ctx.add('ADDITIONAL_ITEMS_EXTENDED');
    else compare(ctx, o.additionalItemsSchema, u.additionalItemsSchema);
  });
  compareUnevaluated(ctx, 'unevaluatedItems', o.unevaluatedItems, u.unevaluatedItems, [
    'UNEVALUATED_ITEMS_ADDED',
    'UNEVALUATED_ITEMS_REMOVED',
    'UNEVALUATED_ITEMS_EXTENDED',
    'UNEVALUATED_ITEMS_NARROWED',
  ]);
  compareLimit(ctx, 'maxItems', o.maxItems, u.maxItems, ['MAX_ITEMS_ADDED', 'MAX_ITEMS_REMOVED', 'MAX_ITEMS_INCREASED', 'MAX_ITEMS_DECREASED']);
  compareLimit(ctx, 'minItems', o.minItems, u.minItems, ['MIN_ITEMS_ADDED', 'MIN_ITEMS_REMOVED', 'MIN_ITEMS_INCREASED', 'MIN_ITEMS_DECREASED']);
  if (o.uniqueItems !== u.uniqueItems) ctx.add(o.uniqueItems ? 'UNIQUE_ITEMS_REMOVED' : 'UNIQUE_ITEMS_ADDED', 'uniqueItems');
  compareLimit(ctx, 'maxContains', o.maxContains, u.maxContains, ['MAX_CONTAINS_ADDED', 'MAX_CONTAINS_REMOVED', 'MAX_CONTAINS_INCREASED', 'MAX_CONTAINS_DECREASED']);
  compareLimit(ctx, 'minContains', o.minContains, u.minContains, ['MIN_CONTAINS_ADDED', 'MIN_CONTAINS_REMOVED', 'MIN_CONTAINS_INCREASED', 'MIN_CONTAINS_DECREASED']);
}

