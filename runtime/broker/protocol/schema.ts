/**
 * The schema description format of the Kafka wire protocol. It mirrors the message definitions
 * Apache Kafka keeps in `clients/src/main/resources/common/message/*.json` (the authoritative
 * spec), so a table can be checked against them field by field:
 *
 * - a message has an api key, the versions it exists in and the versions that use the flexible
 *   encoding (KIP-482: compact lengths, tagged fields);
 * - a field has a type, the versions it exists in, the versions in which it may be null and, when
 *   it is a tagged field, its tag and the versions in which it is tagged;
 * - struct types (and arrays of structs) carry their own `fields`.
 *
 * Names are the JavaScript property names of decoded messages: Kafka's names with the first letter
 * lowered (`TopicData` → `topicData`), as Kafka's own generated accessors do.
 */

export type PrimitiveType =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'int64'
  | 'float64'
  | 'string'
  | 'bytes'
  | 'records'
  | 'uuid';

/** A literal default, as Kafka's `default` attribute (int64 defaults may be given as numbers). */
export type DefaultValue = number | bigint | string | boolean | null;

export interface FieldSpec {
  readonly name: string;
  /** A primitive, `[]primitive`, a struct name or `[]StructName` (struct types need `fields`). */
  readonly type: string;
  /** Version range: `0+`, `3-7`, `5` or `none`. */
  readonly versions: string;
  readonly nullableVersions?: string;
  readonly taggedVersions?: string;
  readonly tag?: number;
  readonly default?: DefaultValue;
  readonly fields?: readonly FieldSpec[];
}

export interface MessageSpec {
  /** `ProduceRequest`, `ProduceResponse`, ... */
  readonly name: string;
  readonly apiKey: number;
  readonly type: 'request' | 'response';
  readonly validVersions: string;
  readonly flexibleVersions: string;
  readonly fields: readonly FieldSpec[];
}

export interface VersionRange {
  readonly min: number;
  /** Infinity for open ranges (`3+`). */
  readonly max: number;
}

const NONE: VersionRange = { min: 1, max: 0 };

/** Parses a Kafka version range string. Throws on anything else: tables are code, typos must fail fast. */
export function parseVersions(text: string): VersionRange {
  if (text === 'none') return NONE;
  let m = /^(\d+)\+$/.exec(text);
  if (m) return { min: Number(m[1]), max: Infinity };
  m = /^(\d+)-(\d+)$/.exec(text);
  if (m && Number(m[1]) <= Number(m[2])) return { min: Number(m[1]), max: Number(m[2]) };
  m = /^(\d+)$/.exec(text);
  if (m) return { min: Number(m[1]), max: Number(m[1]) };
  throw new SyntaxError(`invalid version range "${text}" (expected N+, N-M, N or none)`);
}

export function inRange(range: VersionRange, version: number): boolean {
  return version >= range.min && version <= range.max;
}

// ---------------------------------------------------------------------------------------------
// Types of decoded messages, computed from a table declared `as const satisfies MessageSpec`, so
// handlers get typed bodies without a second, hand-written copy of every message.
// Every field of every version is present in a decoded message: fields the version does not carry
// hold their default, as in Kafka's generated classes.

type PrimitiveValue<T extends string> = T extends 'bool'
  ? boolean
  : T extends 'int64'
    ? bigint
    : T extends 'string' | 'uuid'
      ? string
      : T extends 'bytes' | 'records'
        ? Buffer
        : number;

type Nullable<F> = F extends { readonly nullableVersions: string } ? null : never;

type FieldValue<F extends FieldSpec> = F extends { readonly fields: infer S extends readonly FieldSpec[] }
  ? F['type'] extends `[]${string}`
    ? StructOf<S>[]
    : StructOf<S>
  : F['type'] extends `[]${infer E}`
    ? PrimitiveValue<E>[]
    : PrimitiveValue<F['type']>;

export type StructOf<S extends readonly FieldSpec[]> = {
  -readonly [F in S[number] as F['name']]: FieldValue<F> | Nullable<F>;
};

/** The decoded shape of a message table. */
export type MessageOf<M extends MessageSpec> = StructOf<M['fields']>;

/**
 * What an encoder accepts: any field may be left out and is then written as its default; byte
 * fields (records above all) take any Uint8Array, or a list of them written back to back, so
 * batches read from several places are sent without being joined first.
 */
export type InputOf<T> = T extends Buffer
  ? Uint8Array | readonly Uint8Array[]
  : T extends readonly (infer E)[]
    ? InputOf<E>[]
    : T extends object
      ? { [K in keyof T]?: InputOf<T[K]> }
      : T;
