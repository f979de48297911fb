/**
 * Connect values ⇄ the values avsc reads and writes (unions wrapped as {branch: value}, longs as
 * bigint), walking the Connect schema and the Avro schema side by side. Used with the schema the
 * converter registered, or with the subject's latest version (use.latest.version), where record
 * fields are matched by name and fields the Connect data lacks take their Avro default.
 */
import avro from 'avsc';
import type {
  BigDecimal} from '../../api/index.ts';
import {
  DataException,
  DATE_LOGICAL_NAME,
  DECIMAL_LOGICAL_NAME,
  LogicalDate,
  LogicalDecimal,
  LogicalTime,
  LogicalTimestamp,
  Struct,
  TIME_LOGICAL_NAME,
  TIMESTAMP_LOGICAL_NAME,
  type Schema,
} from '../../api/index.ts';
import { AvroNames, branchName, typeOf, type AvroJson, type AvroObject } from './avro-names.ts';
import { AVRO_TYPE_UNION } from './avro-schema-data.ts';

/** avsc's long as bigint, so 64-bit values survive. */
const LONG_TYPE = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(n);
    return buf;
  },
  fromJSON: (v: unknown) => BigInt(v as number),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === 'bigint',
  compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
});

/** An avsc type for the schema, after the referenced schemas (dependencies first). */
export function avscType(schema: AvroJson, referenced: readonly AvroJson[]): avro.Type {
  const registry: Record<string, avro.Type> = { long: LONG_TYPE };
  // Longs written as objects ({"type": "long", "logicalType": ...}) bypass the registry.
  const typeHook = (s: unknown): avro.Type | undefined => (typeof s === 'object' && s !== null && (s as { type?: unknown }).type === 'long' ? LONG_TYPE : undefined);
  const options = { registry, wrapUnions: true, typeHook } as unknown as Partial<avro.ForSchemaOptions>;
  for (const r of referenced) avro.Type.forSchema(r as avro.Schema, options);
  return avro.Type.forSchema(schema as avro.Schema, options);
}

function unionBranches(node: AvroJson[], namespace: string | undefined, names: AvroNames) {
  return node.map((b) => ({ raw: b, ...names.resolve(b, namespace) }));
}

function required(path: string): DataException {
  return new DataException(`Conversion error: null value for field that is required and has no default value${path === '' ? '' : ` (${path})`}`);
}

// ------------------------------------------------------------------ Connect → avsc

export function toAvroValue(schema: Schema, node: AvroJson, namespace: string | undefined, names: AvroNames, value: unknown, path = ''): unknown {
  const resolved = names.resolve(node, namespace);
  const n = resolved.node;
  const ns = resolved.namespace;
  let v = value;
  if (v === null || v === undefined) {
    if (schema.defaultValue !== null) v = schema.defaultValue;
    else if (!schema.optional) throw required(path);
    else v = null;
  }
  if (Array.isArray(n)) {
    const branches = unionBranches(n, ns, names);
    if (v === null) {
      if (!branches.some((b) => b.node === 'null')) throw required(path);
      return null;
    }
    if (schema.type === 'STRUCT' && schema.name === AVRO_TYPE_UNION) {
      const struct = v as Struct;
      const set = schema.fields().find((f) => struct.get(f) !== null && struct.get(f) !== undefined);
      if (set === undefined) return null;
      const branch = branches.find((b) => b.node !== 'null' && unionFieldName(b.node, b.namespace) === set.name);
      if (branch === undefined) throw new DataException(`No Avro union branch for Connect union field ${set.name}${path === '' ? '' : ` (${path})`}`);
      return { [branchName(branch.node, branch.namespace)]: toAvroValue(set.schema, branch.raw, ns, names, struct.get(set), `${path}.${set.name}`) };
    }
    const branch = branches.find((b) => b.node !== 'null' && accepts(b.node, schema));
    if (branch === undefined) throw new DataException(`No Avro union branch fits a Connect ${schema.type} value${path === '' ? '' : ` (${path})`}`);
    return { [branchName(branch.node, branch.namespace)]: toAvroValue(schema, branch.raw, ns, names, v, path) };
  }
  if (v === null) throw required(path);
  return toAvroNonNull(schema, n, ns, names, v, path);
}

/** Does this (non-null) Avro branch hold values of the Connect schema's type? */
function accepts(node: AvroJson, schema: Schema): boolean {
  const type = typeOf(node);
  switch (schema.type) {
    case 'INT8':
    case 'INT16':
    case 'INT32':
      return type === 'int';
    case 'INT64':
      return type === 'long';
    case 'FLOAT32':
      return type === 'float';
    case 'FLOAT64':
      return type === 'double';
    case 'BOOLEAN':
      return type === 'boolean';
    case 'STRING':
      return type === 'string' || type === 'enum';
    case 'BYTES':
      return type === 'bytes' || type === 'fixed';
    case 'ARRAY':
      return type === 'array';
    case 'MAP':
      return type === 'map' || type === 'array';
    case 'STRUCT':
      return type === 'record' || type === 'error';
  }
}

function unionFieldName(node: AvroJson, namespace: string | undefined): string {
  const type = typeOf(node);
  if (type === 'record' || type === 'enum' || type === 'fixed') {
    const full = branchName(node, namespace);
    return full.slice(full.lastIndexOf('.') + 1);
  }
  return type;
}

function toAvroNonNull(schema: Schema, node: AvroJson, ns: string | undefined, names: AvroNames, v: unknown, path: string): unknown {
  const type = typeOf(node);
  switch (schema.name) {
    case DECIMAL_LOGICAL_NAME: {
      const bytes = Buffer.from(LogicalDecimal.fromLogical(schema, v as BigDecimal));
      if (type !== 'fixed') return bytes;
      return signExtend(bytes, (node as AvroObject).size as number, path);
    }
    case DATE_LOGICAL_NAME:
      return LogicalDate.fromLogical(schema, v as Date);
    case TIME_LOGICAL_NAME:
      return LogicalTime.fromLogical(schema, v as Date);
    case TIMESTAMP_LOGICAL_NAME:
      return BigInt(LogicalTimestamp.fromLogical(schema, v as Date));
  }
  switch (schema.type) {
    case 'INT8':
    case 'INT16':
    case 'INT32':
    case 'FLOAT32':
    case 'FLOAT64':
    case 'BOOLEAN':
    case 'STRING':
      return v;
    case 'INT64':
      return BigInt(v as number | bigint);
    case 'BYTES':
      return Buffer.from(v as Uint8Array);
    case 'ARRAY':
      return (v as unknown[]).map((item, i) => toAvroValue(schema.valueSchema(), (node as AvroObject).items as AvroJson, ns, names, item, `${path}[${i}]`));
    case 'MAP': {
      const entries = [...(v as Map<unknown, unknown>).entries()];
      if (type === 'map') {
        const out: Record<string, unknown> = {};
        for (const [k, item] of entries) out[k as string] = toAvroValue(schema.valueSchema(), (node as AvroObject).values as AvroJson, ns, names, item, `${path}[${String(k)}]`);
        return out;
      }
      const entry = names.resolve((node as AvroObject).items as AvroJson, ns);
      const entryNs = AvroNames.innerNamespace(entry.node as AvroObject, entry.namespace);
      const fields = (entry.node as AvroObject).fields as { name: string; type: AvroJson }[];
      const keyNode = fields.find((f) => f.name === 'key')!.type;
      const valueNode = fields.find((f) => f.name === 'value')!.type;
      return entries.map(([k, item]) => ({
        key: toAvroValue(schema.keySchema(), keyNode, entryNs, names, k, `${path}.key`),
        value: toAvroValue(schema.valueSchema(), valueNode, entryNs, names, item, `${path}.value`),
      }));
    }
    case 'STRUCT': {
      const struct = v as Struct;
      if (!(struct instanceof Struct)) throw new DataException(`Expected a Struct for ${schema} but got ${typeof v}${path === '' ? '' : ` (${path})`}`);
      const record = node as AvroObject;
      const inner = AvroNames.innerNamespace(record, ns);
      const out: Record<string, unknown> = {};
      for (const f of record.fields as { name: string; type: AvroJson }[]) {
        const field = schema.field(f.name);
        // A field only the Avro schema has (use.latest.version) is left to its Avro default.
        if (field === null) continue;
        out[f.name] = toAvroValue(field.schema, f.type, inner, names, struct.get(field), path === '' ? f.name : `${path}.${f.name}`);
      }
      return out;
    }
  }
}

function signExtend(bytes: Buffer, size: number, path: string): Buffer {
  if (bytes.length === size) return bytes;
  if (bytes.length > size) throw new DataException(`Decimal value needs ${bytes.length} bytes, more than the Avro fixed size ${size}${path === '' ? '' : ` (${path})`}`);
  const out = Buffer.alloc(size, bytes.length > 0 && (bytes[0] & 0x80) !== 0 ? 0xff : 0x00);
  bytes.copy(out, size - bytes.length);
  return out;
}

// ------------------------------------------------------------------ avsc → Connect

export function toConnectValue(schema: Schema, node: AvroJson, namespace: string | undefined, names: AvroNames, value: unknown): unknown {
  const resolved = names.resolve(node, namespace);
  const n = resolved.node;
  const ns = resolved.namespace;
  if (value === null || value === undefined) return null;
  if (Array.isArray(n)) {
    const [branchKey, inner] = Object.entries(value as Record<string, unknown>)[0];
    const branch = unionBranches(n, ns, names).find((b) => b.node !== 'null' && branchName(b.node, b.namespace) === branchKey);
    if (branch === undefined) throw new DataException(`Avro union value for unknown branch ${branchKey}`);
    if (schema.type === 'STRUCT' && schema.name === AVRO_TYPE_UNION) {
      const struct = new Struct(schema);
      const fieldName = unionFieldName(branch.node, branch.namespace);
      const field = schema.field(fieldName);
      if (field === null) throw new DataException(`Connect union has no field ${fieldName}`);
      struct.put(field, toConnectValue(field.schema, branch.raw, ns, names, inner));
      return struct;
    }
    return toConnectValue(schema, branch.raw, ns, names, inner);
  }
  switch (schema.name) {
    case DECIMAL_LOGICAL_NAME:
      return LogicalDecimal.toLogical(schema, value as Buffer);
    case DATE_LOGICAL_NAME:
      return LogicalDate.toLogical(schema, value as number);
    case TIME_LOGICAL_NAME:
      return LogicalTime.toLogical(schema, value as number);
    case TIMESTAMP_LOGICAL_NAME:
      return LogicalTimestamp.toLogical(schema, value as bigint);
  }
  switch (schema.type) {
    case 'INT64': {
      const big = value as bigint;
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    }
    case 'BYTES':
      return Buffer.from(value as Buffer);
    case 'ARRAY':
      return (value as unknown[]).map((item) => toConnectValue(schema.valueSchema(), (n as AvroObject).items as AvroJson, ns, names, item));
    case 'MAP': {
      if (typeOf(n) === 'map') {
        return new Map(Object.entries(value as Record<string, unknown>).map(([k, item]) => [k, toConnectValue(schema.valueSchema(), (n as AvroObject).values as AvroJson, ns, names, item)]));
      }
      const entry = names.resolve((n as AvroObject).items as AvroJson, ns);
      const entryNs = AvroNames.innerNamespace(entry.node as AvroObject, entry.namespace);
      const fields = (entry.node as AvroObject).fields as { name: string; type: AvroJson }[];
      const keyNode = fields.find((f) => f.name === 'key')!.type;
      const valueNode = fields.find((f) => f.name === 'value')!.type;
      return new Map(
        (value as { key: unknown; value: unknown }[]).map((e) => [toConnectValue(schema.keySchema(), keyNode, entryNs, names, e.key), toConnectValue(schema.valueSchema(), valueNode, entryNs, names, e.value)]),
      );
    }
    case 'STRUCT': {
      const record = n as AvroObject;
      const inner = AvroNames.innerNamespace(record, ns);
      const struct = new Struct(schema);
      const fields = record.fields as { name: string; type: AvroJson }[];
      for (const f of fields) {
        const field = schema.field(f.name);
        if (field !== null) struct.put(field, toConnectValue(field.schema, f.type, inner, names, (value as Record<string, unknown>)[f.name]));
      }
      return struct;
    }
    default:
      return value;
  }
}
