/**
 * Kafka's primitive converters (org.apache.kafka.connect.converters.BooleanConverter,
 * ShortConverter, IntegerConverter, LongConverter, FloatConverter, DoubleConverter): the value in
 * the fixed-width big-endian form of Kafka's serializers, read back with an optional schema of the
 * type. Also header converters.
 */
import type { Converter, HeaderConverter, Schema, SchemaAndValue } from '../api/index.ts';
import { DataException, Schemas } from '../api/index.ts';
import type { ConfigDef } from '../config/index.ts';
import { converterConfigDef, withConverterType } from './converter-config.ts';

const CONFIG = converterConfigDef();

interface NumberFormat {
  name: string;
  schema: Schema;
  size: number;
  write(view: DataView, value: unknown): boolean;
  read(view: DataView): unknown;
}

const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

export const NUMBER_FORMATS = {
  Boolean: {
    name: 'Boolean',
    schema: Schemas.OPTIONAL_BOOLEAN,
    size: 1,
    write: (view, v) => typeof v === 'boolean' && (view.setUint8(0, v ? 1 : 0), true),
    read: (view) => {
      const b = view.getUint8(0);
      if (b > 1) throw new DataException(`BooleanConverter expects a byte of 0 or 1 but got ${b}`);
      return b === 1;
    },
  },
  Short: { name: 'Short', schema: Schemas.OPTIONAL_INT16, size: 2, write: (view, v) => isInt(v, -32768, 32767) && (view.setInt16(0, v), true), read: (view) => view.getInt16(0) },
  Integer: {
    name: 'Integer',
    schema: Schemas.OPTIONAL_INT32,
    size: 4,
    write: (view, v) => isInt(v, -2147483648, 2147483647) && (view.setInt32(0, v), true),
    read: (view) => view.getInt32(0),
  },
  Long: {
    name: 'Long',
    schema: Schemas.OPTIONAL_INT64,
    size: 8,
    write: (view, v) => {
      if (typeof v === 'number' && Number.isSafeInteger(v)) v = BigInt(v);
      if (typeof v !== 'bigint' || v < -(2n ** 63n) || v > 2n ** 63n - 1n) return false;
      view.setBigInt64(0, v);
      return true;
    },
    read: (view) => {
      const v = view.getBigInt64(0);
      return Number.isSafeInteger(Number(v)) ? Number(v) : v;
    },
  },
  Float: { name: 'Float', schema: Schemas.OPTIONAL_FLOAT32, size: 4, write: (view, v) => typeof v === 'number' && (view.setFloat32(0, v), true), read: (view) => view.getFloat32(0) },
  Double: { name: 'Double', schema: Schemas.OPTIONAL_FLOAT64, size: 8, write: (view, v) => typeof v === 'number' && (view.setFloat64(0, v), true), read: (view) => view.getFloat64(0) },
} satisfies Record<string, NumberFormat>;

export class NumberConverter implements Converter, HeaderConverter {
  readonly #format: NumberFormat;

  constructor(format: NumberFormat) {
    this.#format = format;
  }

  config(): ConfigDef<object> {
    return CONFIG;
  }

  configure(configs: Readonly<Record<string, unknown>>, isKey?: boolean): void {
    CONFIG.parse(withConverterType(configs, isKey));
  }

  fromConnectData(topic: string, _headers: unknown, _schema: Schema | null, value: unknown): Uint8Array | null {
    if (value === null || value === undefined) return null;
    const out = new Uint8Array(this.#format.size);
    if (!this.#format.write(new DataView(out.buffer), value)) {
      throw new DataException(`Failed to serialize to ${this.#format.name.toLowerCase()} (was ${typeof value} ${String(value)}) for topic "${topic}"`, { context: { topic } });
    }
    return out;
  }

  toConnectData(topic: string, _headers: unknown, value: Uint8Array | null): SchemaAndValue {
    if (value === null) return { schema: this.#format.schema, value: null };
    if (value.length !== this.#format.size) {
      throw new DataException(`Size of data received by ${this.#format.name}Deserializer is not ${this.#format.size} (topic "${topic}")`, { context: { topic } });
    }
    return { schema: this.#format.schema, value: this.#format.read(new DataView(value.buffer, value.byteOffset, value.byteLength)) };
  }

  fromConnectHeader(topic: string, _headerKey: string, schema: Schema | null, value: unknown): Uint8Array | null {
    return this.fromConnectData(topic, null, schema, value);
  }

  toConnectHeader(topic: string, _headerKey: string, value: Uint8Array | null): SchemaAndValue {
    return this.toConnectData(topic, null, value);
  }
}
