import { messageOf } from '../../util/errors.ts';
import { inRange, parseVersions } from './schema.ts';
import type { DefaultValue, FieldSpec, MessageSpec, PrimitiveType, VersionRange } from './schema.ts';
import { EncodeError, MalformedMessageError, SchemaError } from './wire-errors.ts';
import { ReadFault, WireReader } from './wire-reader.ts';
import { WireWriter } from './wire-writer.ts';

/**
 * The one generic encoder/decoder. A message table is compiled once per version into a tree of
 * closures (version checks, nullability, flexible vs. non-flexible encoding are all decided at
 * compile time), so decoding a message runs straight-line reads with no per-field interpretation.
 *
 * Decoded messages are plain objects with every field of the table present: fields the version
 * does not carry, and tagged fields the sender left out, hold their defaults. Encoders accept
 * objects with fields left out (written as defaults); fields the version does not carry are
 * ignored.
 */

type Obj = Record<string, unknown>;

/** A field type compiled for one version. */
interface Compiled {
  read(r: WireReader): unknown;
  /** `undefined` means "the default". */
  write(w: WireWriter, v: unknown): void;
  /** Fewest bytes one value can take: bounds array counts before anything is allocated. */
  readonly minSize: number;
  /** Whether a tagged field holding `v` can be left out. */
  isDefault(v: unknown): boolean;
}

/** Internal: an encode failure on its way up, collecting the field path. */
class WriteFault extends Error {
  readonly path: string[] = [];
}

const PRIMITIVES = new Set<string>(['bool', 'int8', 'int16', 'uint16', 'int32', 'int64', 'float64', 'string', 'bytes', 'records', 'uuid']);
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
const EMPTY_BYTES = Buffer.alloc(0);

function isPrimitive(t: string): t is PrimitiveType {
  return PRIMITIVES.has(t);
}

function elementType(field: FieldSpec): string | null {
  return field.type.startsWith('[]') ? field.type.slice(2) : null;
}

/** The value a field has when absent, as Kafka's generated classes initialise it. */
export function defaultOf(field: FieldSpec): unknown {
  const elem = elementType(field);
  if (elem !== null) return field.default === null ? null : [];
  if (field.fields) {
    const o: Obj = {};
    for (const f of field.fields) o[f.name] = defaultOf(f);
    return o;
  }
  return primitiveDefault(field.type as PrimitiveType, field.default);
}

function primitiveDefault(type: PrimitiveType, given: DefaultValue | undefined): unknown {
  if (given === null) return null;
  switch (type) {
    case 'bool':
      return given ?? false;
    case 'int64':
      return given === undefined ? 0n : BigInt(given as number | bigint);
    case 'string':
      return given ?? '';
    case 'uuid':
      return given ?? ZERO_UUID;
    case 'bytes':
    case 'records':
      return EMPTY_BYTES;
    default:
      return given ?? 0;
  }
}

/** Structs get fresh defaults per use (callers may mutate decoded objects); primitives are shared. */
function defaultMaker(field: FieldSpec): () => unknown {
  const d = defaultOf(field);
  if (d !== null && typeof d === 'object' && !Buffer.isBuffer(d)) return () => defaultOf(field);
  return () => d;
}

function fault(r: WireReader, reason: string, at = r.pos): never {
  throw new ReadFault(reason, at);
}

// ---------------------------------------------------------------------------------------------
// Primitives

function compilePrimitive(type: PrimitiveType, nullable: boolean, flexible: boolean, dflt: unknown): Compiled {
  const eqDefault = (v: unknown): boolean => v === undefined || v === dflt;
  const orDefault = (v: unknown): unknown => (v === undefined ? dflt : v);
  switch (type) {
    case 'bool':
      return { minSize: 1, read: (r) => r.bool(), write: (w, v) => w.bool(checkType(orDefault(v), 'boolean')), isDefault: eqDefault };
    case 'int8':
      return { minSize: 1, read: (r) => r.int8(), write: (w, v) => w.int8(checkType(orDefault(v), 'number')), isDefault: eqDefault };
    case 'int16':
      return { minSize: 2, read: (r) => r.int16(), write: (w, v) => w.int16(checkType(orDefault(v), 'number')), isDefault: eqDefault };
    case 'uint16':
      return { minSize: 2, read: (r) => r.uint16(), write: (w, v) => w.uint16(checkType(orDefault(v), 'number')), isDefault: eqDefault };
    case 'int32':
      return { minSize: 4, read: (r) => r.int32(), write: (w, v) => w.int32(checkType(orDefault(v), 'number')), isDefault: eqDefault };
    case 'float64':
      return { minSize: 8, read: (r) => r.float64(), write: (w, v) => w.float64(checkType(orDefault(v), 'number')), isDefault: eqDefault };
    case 'int64':
      return {
        minSize: 8,
        read: (r) => r.int64(),
        write: (w, v) => w.int64(toBigInt(orDefault(v))),
        isDefault: (v) => v === undefined || (typeof v === 'number' ? BigInt(v) === dflt : v === dflt),
      };
    case 'uuid':
      return { minSize: 16, read: (r) => r.uuid(), write: (w, v) => w.uuid(checkType(orDefault(v), 'string')), isDefault: eqDefault };
    case 'string':
      return compileString(nullable, flexible, dflt);
    case 'bytes':
    case 'records':
      return compileBytes(nullable, flexible, dflt);
  }
}

function checkType<T extends 'boolean' | 'number' | 'string'>(v: unknown, t: T): T extends 'boolean' ? boolean : T extends 'number' ? number : string {
  if (typeof v !== t) throw new WriteFault(`expected a ${t}, got ${describe(v)}`);
  return v as never;
}

function toBigInt(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  throw new WriteFault(`expected a bigint (or a safe integer), got ${describe(v)}`);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function nullFault(): never {
  throw new WriteFault('null is not allowed in this version');
}

/**
 * How strings, bytes and arrays carry their length: flexible versions use a compact uvarint of
 * length + 1 (0 = null), older ones a signed int16/int32 (-1 = null).
 */
interface LengthPrefix {
  readonly minSize: number;
  /** The length, or null for the null marker (a fault when the field is not nullable). */
  read(r: WireReader): number | null;
  write(w: WireWriter, length: number | null): void;
}

function lengthPrefix(what: 'string' | 'bytes' | 'array', nullable: boolean, flexible: boolean): LengthPrefix {
  const nullMarker = (r: WireReader, at: number): null => (nullable ? null : fault(r, `null ${what} in a non-nullable field`, at));
  if (flexible) {
    return {
      minSize: 1,
      read(r) {
        const at = r.pos;
        const n = r.uvarint();
        return n === 0 ? nullMarker(r, at) : n - 1;
      },
      write: (w, length) => w.uvarint(length === null ? 0 : length + 1),
    };
  }
  const wide = what !== 'string';
  return {
    minSize: wide ? 4 : 2,
    read(r) {
      const at = r.pos;
      const n = wide ? r.int32() : r.int16();
      if (n === -1) return nullMarker(r, at);
      if (n < 0) fault(r, `negative ${what} length ${n}`, at);
      return n;
    },
    write(w, length) {
      if (wide) w.int32(length ?? -1);
      else w.int16(length ?? -1);
    },
  };
}

function compileString(nullable: boolean, flexible: boolean, dflt: unknown): Compiled {
  const prefix = lengthPrefix('string', nullable, flexible);
  return {
    minSize: prefix.minSize,
    read(r) {
      const at = r.pos;
      const n = prefix.read(r);
      if (n === null) return null;
      if (n > 0x7fff) fault(r, `string length ${n} exceeds 32767`, at);
      return r.utf8(n);
    },
    write(w, v) {
      if (v === undefined) v = dflt;
      if (v === null) {
        if (!nullable) nullFault();
        prefix.write(w, null);
      } else if (flexible) w.compactString(checkType(v, 'string'));
      else w.shortString(checkType(v, 'string'));
    },
    isDefault: (v) => v === undefined || v === dflt,
  };
}

/** Byte fields take one Uint8Array or a list of them written back to back (stored batches, unjoined). */
type ByteValue = Uint8Array | readonly Uint8Array[];

function byteLength(b: ByteValue): number {
  if (b instanceof Uint8Array) return b.length;
  let n = 0;
  for (const c of b) n += c.length;
  return n;
}

function writeRaw(w: WireWriter, b: ByteValue): void {
  if (b instanceof Uint8Array) w.raw(b);
  else for (const c of b) w.raw(c);
}

function compileBytes(nullable: boolean, flexible: boolean, dflt: unknown): Compiled {
  const isDefault = (v: unknown): boolean =>
    v === undefined || (dflt === null ? v === null : (v instanceof Uint8Array || Array.isArray(v)) && byteLength(v) === 0);
  const value = (v: unknown): ByteValue | null => {
    if (v === undefined) v = dflt;
    if (v === null) return nullable ? null : nullFault();
    if (v instanceof Uint8Array) return v;
    if (Array.isArray(v) && v.every((c) => c instanceof Uint8Array)) return v as Uint8Array[];
    throw new WriteFault(`expected a Buffer/Uint8Array (or a list of them), got ${describe(v)}`);
  };
  const prefix = lengthPrefix('bytes', nullable, flexible);
  return {
    minSize: prefix.minSize,
    read(r) {
      const n = prefix.read(r);
      return n === null ? null : r.bytes(n);
    },
    write(w, v) {
      const b = value(v);
      prefix.write(w, b === null ? null : byteLength(b));
      if (b !== null) writeRaw(w, b);
    },
    isDefault,
  };
}

// ---------------------------------------------------------------------------------------------
// Arrays and structs

function compileArray(elem: Compiled, nullable: boolean, flexible: boolean, defaultNull: boolean): Compiled {
  const minElem = Math.max(elem.minSize, 1);
  const readElems = (r: WireReader, n: number, at: number): unknown[] => {
    // Bound the count by the bytes present before allocating anything for it.
    if (n * minElem > r.remaining) fault(r, `array of ${n} elements cannot fit in the ${r.remaining} bytes left`, at);
    const out: unknown[] = [];
    let i = 0;
    try {
      for (; i < n; i++) out.push(elem.read(r));
    } catch (e) {
      if (e instanceof ReadFault) e.path.push(`[${i}]`);
      throw e;
    }
    return out;
  };
  const elems = (v: unknown): unknown[] | null => {
    if (v === undefined) return defaultNull ? (nullable ? null : []) : [];
    if (v === null) return nullable ? null : nullFault();
    if (!Array.isArray(v)) throw new WriteFault(`expected an array, got ${describe(v)}`);
    return v;
  };
  const writeElems = (w: WireWriter, a: unknown[]): void => {
    let i = 0;
    try {
      for (; i < a.length; i++) elem.write(w, a[i]);
    } catch (e) {
      const f = asWriteFault(e);
      f.path.push(`[${i}]`);
      throw f;
    }
  };
  const isDefault = (v: unknown): boolean =>
    v === undefined || (defaultNull ? v === null : Array.isArray(v) && v.length === 0);
  const prefix = lengthPrefix('array', nullable, flexible);
  return {
    minSize: prefix.minSize,
    read(r) {
      const at = r.pos;
      const n = prefix.read(r);
      return n === null ? null : readElems(r, n, at);
    },
    write(w, v) {
      const a = elems(v);
      prefix.write(w, a === null ? null : a.length);
      if (a !== null) writeElems(w, a);
    },
    isDefault,
  };
}

function asWriteFault(e: unknown): WriteFault {
  return e instanceof WriteFault ? e : new WriteFault(messageOf(e));
}

interface TaggedEntry {
  readonly name: string;
  readonly tag: number;
  readonly codec: Compiled;
  readonly makeDefault: () => unknown;
}

interface CompileContext {
  readonly message: string;
  readonly version: number;
  readonly flexible: boolean;
}

function compileStruct(fields: readonly FieldSpec[], ctx: CompileContext, path: string): Compiled {
  const names: string[] = [];
  const codecs: Compiled[] = [];
  const tagged: TaggedEntry[] = [];
  const absentNames: string[] = [];
  const absentDefaults: (() => unknown)[] = [];
  const seen = new Set<string>();
  for (const f of fields) {
    const fpath = path === '' ? f.name : `${path}.${f.name}`;
    if (seen.has(f.name)) throw new SchemaError(ctx.message, fpath, 'duplicate field name');
    seen.add(f.name);
    const versions = parseVersions(f.versions);
    if (!inRange(versions, ctx.version)) {
      absentNames.push(f.name);
      absentDefaults.push(defaultMaker(f));
      continue;
    }
    const taggedVersions = f.taggedVersions === undefined ? null : parseVersions(f.taggedVersions);
    if ((taggedVersions === null) !== (f.tag === undefined)) throw new SchemaError(ctx.message, fpath, 'tag and taggedVersions go together');
    const codec = compileField(f, ctx, fpath);
    if (taggedVersions !== null && inRange(taggedVersions, ctx.version)) {
      if (!ctx.flexible) throw new SchemaError(ctx.message, fpath, `tagged in v${ctx.version}, which is not flexible`);
      if (tagged.some((t) => t.tag === f.tag)) throw new SchemaError(ctx.message, fpath, `duplicate tag ${f.tag}`);
      tagged.push({ name: f.name, tag: f.tag as number, codec, makeDefault: defaultMaker(f) });
    } else {
      names.push(f.name);
      codecs.push(codec);
    }
  }
  tagged.sort((a, b) => a.tag - b.tag);
  const flexible = ctx.flexible;
  const n = names.length;
  const minSize = codecs.reduce((s, c) => s + c.minSize, 0) + (flexible ? 1 : 0);

  const readTagged = (r: WireReader, o: Obj): void => {
    for (const t of tagged) o[t.name] = t.makeDefault();
    const count = r.uvarint();
    for (let k = 0; k < count; k++) {
      const at = r.pos;
      const tag = r.uvarint();
      const size = r.uvarint();
      if (size > r.remaining) fault(r, `tagged field ${tag} of ${size} bytes runs past the end`, at);
      const entry = tagged.find((t) => t.tag === tag);
      if (entry === undefined) {
        r.skip(size); // unknown tags are skipped (KIP-482)
        continue;
      }
      const end = r.pos + size;
      const sub = new WireReader(r.buf, r.pos, end);
      try {
        o[entry.name] = entry.codec.read(sub);
        if (sub.pos !== end) fault(sub, `tagged field ${tag} declares ${size} bytes but its value takes ${sub.pos - (end - size)}`);
      } catch (e) {
        if (e instanceof ReadFault) e.path.push(entry.name);
        throw e;
      }
      r.pos = end;
    }
  };

  const writeTagged = (w: WireWriter, o: Obj): void => {
    let count = 0;
    for (const t of tagged) if (!t.codec.isDefault(o[t.name])) count++;
    w.uvarint(count);
    for (const t of tagged) {
      const v = o[t.name];
      if (t.codec.isDefault(v)) continue;
      w.uvarint(t.tag);
      try {
        w.sized(() => t.codec.write(w, v));
      } catch (e) {
        const f = asWriteFault(e);
        f.path.push(t.name);
        throw f;
      }
    }
  };

  return {
    minSize,
    read(r) {
      const o: Obj = {};
      let i = 0;
      try {
        for (; i < n; i++) o[names[i]] = codecs[i].read(r);
        if (flexible) readTagged(r, o);
      } catch (e) {
        if (e instanceof ReadFault && i < n) e.path.push(names[i]);
        throw e;
      }
      for (let j = 0; j < absentNames.length; j++) o[absentNames[j]] = absentDefaults[j]();
      return o;
    },
    write(w, v) {
      if (v === null) nullFault();
      if (v !== undefined && (typeof v !== 'object' || Array.isArray(v))) throw new WriteFault(`expected an object, got ${describe(v)}`);
      const o = (v ?? {}) as Obj;
      let i = 0;
      try {
        for (; i < n; i++) codecs[i].write(w, o[names[i]]);
      } catch (e) {
        const f = asWriteFault(e);
        f.path.push(names[i]);
        throw f;
      }
      if (flexible) writeTagged(w, o);
    },
    isDefault(v) {
      if (v === undefined) return true;
      if (v === null || typeof v !== 'object') return false;
      const o = v as Obj;
      for (let i = 0; i < n; i++) if (!codecs[i].isDefault(o[names[i]])) return false;
      for (const t of tagged) if (!t.codec.isDefault(o[t.name])) return false;
      return true;
    },
  };
}

function compileField(f: FieldSpec, ctx: CompileContext, path: string): Compiled {
  const nullable = f.nullableVersions !== undefined && inRange(parseVersions(f.nullableVersions), ctx.version);
  const elem = elementType(f);
  const base = elem ?? f.type;
  if (f.fields !== undefined) {
    if (isPrimitive(base)) throw new SchemaError(ctx.message, path, `primitive type ${f.type} cannot have fields`);
    const struct = compileStruct(f.fields, ctx, path);
    if (elem === null) {
      if (nullable) throw new SchemaError(ctx.message, path, 'nullable structs are not supported');
      return struct;
    }
    return compileArray(struct, nullable, ctx.flexible, f.default === null);
  }
  if (!isPrimitive(base)) throw new SchemaError(ctx.message, path, `unknown type ${f.type} (struct types need fields)`);
  if (elem !== null) {
    return compileArray(compilePrimitive(base, false, ctx.flexible, primitiveDefault(base, undefined)), nullable, ctx.flexible, f.default === null);
  }
  if (nullable && !['string', 'bytes', 'records'].includes(base)) throw new SchemaError(ctx.message, path, `${base} cannot be nullable`);
  if (f.default === null && !nullable) {
    // Kafka allows a null default only where the field is nullable; elsewhere the default is the empty value.
    return compilePrimitive(base, nullable, ctx.flexible, primitiveDefault(base, undefined));
  }
  return compilePrimitive(base, nullable, ctx.flexible, primitiveDefault(base, f.default));
}

// ---------------------------------------------------------------------------------------------
// Messages

/** A message table compiled for one version. */
export interface MessageCodec {
  readonly spec: MessageSpec;
  readonly version: number;
  readonly flexible: boolean;
  /**
   * Reads one message body; throws MalformedMessageError whose offset is the reader position
   * (a frame offset when `r` reads a whole frame), carrying `correlationId` when given.
   */
  read(r: WireReader, correlationId?: number): Obj;
  /** Appends one message body; throws EncodeError. */
  write(w: WireWriter, body: object): void;
}

export function isFlexible(spec: MessageSpec, version: number): boolean {
  return inRange(parseVersions(spec.flexibleVersions), version);
}

export function validVersions(spec: MessageSpec): VersionRange {
  return parseVersions(spec.validVersions);
}

/** Compiles a message table for one version (a programming error in the table throws SchemaError). */
export function compileMessage(spec: MessageSpec, version: number): MessageCodec {
  if (!inRange(validVersions(spec), version)) {
    throw new SchemaError(spec.name, '', `v${version} is outside validVersions ${spec.validVersions}`);
  }
  const flexible = isFlexible(spec, version);
  const struct = compileStruct(spec.fields, { message: spec.name, version, flexible }, '');
  return {
    spec,
    version,
    flexible,
    read(r, correlationId) {
      try {
        return struct.read(r) as Obj;
      } catch (e) {
        if (e instanceof ReadFault) throw malformed(spec.name, version, e, correlationId);
        throw e;
      }
    },
    write(w, body) {
      try {
        struct.write(w, body);
      } catch (e) {
        const f = asWriteFault(e);
        throw new EncodeError(spec.name, version, joinPath(f.path), f.message);
      }
    },
  };
}

function joinPath(reversed: string[]): string {
  let out = '';
  for (let i = reversed.length - 1; i >= 0; i--) {
    const seg = reversed[i];
    out += seg.startsWith('[') || out === '' ? seg : `.${seg}`;
  }
  return out;
}

/** Converts an internal read failure into the public error. */
export function malformed(message: string, version: number, e: ReadFault, correlationId?: number): MalformedMessageError {
  return new MalformedMessageError({
    message,
    version,
    path: joinPath(e.path),
    offset: e.offset,
    reason: e.reason,
    ...(correlationId === undefined ? {} : { correlationId }),
  });
}

/** Decodes one whole body from `buf` (tests, tools). Trailing bytes are an error here. */
export function decodeMessage(codec: MessageCodec, buf: Buffer): Obj {
  const r = new WireReader(buf);
  const body = codec.read(r);
  if (r.remaining !== 0) {
    throw malformed(codec.spec.name, codec.version, new ReadFault(`${r.remaining} trailing bytes after the message`, r.pos));
  }
  return body;
}

/** Encodes one body into a single buffer (tests, tools; the server uses the chunked form). */
export function encodeMessage(codec: MessageCodec, body: object): Buffer {
  const w = new WireWriter(256, Infinity);
  codec.write(w, body);
  return Buffer.concat(w.finish());
}
