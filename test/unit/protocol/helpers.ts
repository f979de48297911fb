import { defaultOf } from '../../../runtime/broker/protocol/codec.ts';
import { inRange, parseVersions } from '../../../runtime/broker/protocol/schema.ts';
import type { FieldSpec } from '../../../runtime/broker/protocol/schema.ts';
import type { Random } from '../../../runtime/util/random.ts';

type Obj = Record<string, unknown>;

const has = (f: FieldSpec, v: number): boolean => inRange(parseVersions(f.versions), v);
const nullableAt = (f: FieldSpec, v: number): boolean => f.nullableVersions !== undefined && inRange(parseVersions(f.nullableVersions), v);

/** The fields of `value` a message of version `v` carries (recursively): what a decoder must return. */
export function project(fields: readonly FieldSpec[], v: number, value: Obj): Obj {
  const out: Obj = {};
  for (const f of fields) {
    if (!has(f, v) || !(f.name in value)) continue;
    const x = value[f.name];
    if (f.fields && x !== null && x !== undefined) {
      out[f.name] = Array.isArray(x) ? x.map((e) => project(f.fields as FieldSpec[], v, e as Obj)) : project(f.fields, v, x as Obj);
    } else out[f.name] = x;
  }
  return out;
}

/** What decoding an encoding of `value` (which sets every field) yields: its own values where v carries them, defaults elsewhere. */
export function decodedForm(fields: readonly FieldSpec[], v: number, value: Obj): Obj {
  const out: Obj = {};
  for (const f of fields) {
    if (!has(f, v)) {
      out[f.name] = defaultOf(f);
      continue;
    }
    const x = value[f.name];
    if (f.fields && x !== null) {
      out[f.name] = Array.isArray(x) ? x.map((e) => decodedForm(f.fields as FieldSpec[], v, e as Obj)) : decodedForm(f.fields, v, x as Obj);
    } else out[f.name] = x;
  }
  return out;
}

const WORDS = ['orders', 'payments', 'grüße', 'topic-ä', 'x', 'consumer-1', 'range', ''];

/** A value for every field of version v (others left out), with nulls where allowed, from a seeded generator. */
export function sample(fields: readonly FieldSpec[], v: number, rnd: Random, depth = 0): Obj {
  const out: Obj = {};
  for (const f of fields) {
    if (!has(f, v)) continue;
    if (nullableAt(f, v) && rnd.int(3) === 0) {
      out[f.name] = null;
      continue;
    }
    const elem = f.type.startsWith('[]') ? f.type.slice(2) : null;
    if (elem !== null) {
      const n = depth > 3 ? 0 : rnd.int(3) + (depth === 0 ? 1 : 0);
      out[f.name] = Array.from({ length: n }, () => (f.fields ? sample(f.fields, v, rnd, depth + 1) : primitive(elem, rnd)));
    } else if (f.fields) out[f.name] = sample(f.fields, v, rnd, depth + 1);
    else out[f.name] = primitive(f.type, rnd);
  }
  return out;
}

function primitive(type: string, rnd: Random): unknown {
  switch (type) {
    case 'bool':
      return rnd.int(2) === 1;
    case 'int8':
      return rnd.int(256) - 128;
    case 'int16':
      return rnd.int(65536) - 32768;
    case 'uint16':
      return rnd.int(65536);
    case 'int32':
      return rnd.int(2 ** 32) - 2 ** 31;
    case 'int64':
      return BigInt(rnd.int(2 ** 32)) * BigInt(rnd.int(2 ** 31)) - 2n ** 61n;
    case 'float64':
      return rnd.next() * 1e6 - 5e5;
    case 'string':
      return WORDS[rnd.int(WORDS.length)] + (rnd.int(2) ? 'x'.repeat(rnd.int(200)) : '');
    case 'uuid':
      return Array.from({ length: 16 }, () => rnd.int(256).toString(16).padStart(2, '0'))
        .join('')
        .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
    case 'bytes':
    case 'records':
      return Buffer.from(Array.from({ length: rnd.int(40) }, () => rnd.int(256)));
    default:
      throw new Error(`no sample for ${type}`);
  }
}

/** Joins response/request chunks and drops the 4-byte size prefix, checking it. */
export function frameOf(chunks: readonly Buffer[]): Buffer {
  const all = Buffer.concat(chunks);
  if (all.readInt32BE(0) !== all.length - 4) throw new Error(`size prefix ${all.readInt32BE(0)} != ${all.length - 4}`);
  return all.subarray(4);
}
