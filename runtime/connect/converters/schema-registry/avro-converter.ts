/**
 * io.confluent.connect.avro.AvroConverter: Connect data as Avro binary in Confluent's wire format,
 * with the schema registered in (or looked up from) a schema registry.
 */
import type { Schema } from '../../api/index.ts';
import { DataException } from '../../api/index.ts';
import { AvroNames, type AvroJson } from './avro-names.ts';
import { fromConnectSchema, toConnectSchema, type AvroDataOptions } from './avro-schema-data.ts';
import { avscType, toAvroValue, toConnectValue } from './avro-value-data.ts';
import type { RegisteredSchema } from './registry-client.ts';
import { RegistryConverter } from './registry-converter.ts';
import type { RegistryConverterSettings } from './registry-converter-config.ts';
import type { FormatSchema, SchemaFormat } from './schema-format.ts';
import type avro from 'avsc';

export interface AvroNative {
  json: AvroJson;
  names: AvroNames;
  type: avro.Type;
}

function parseJson(text: string, what: string): AvroJson {
  try {
    return JSON.parse(text) as AvroJson;
  } catch (err) {
    throw new DataException(`${what} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

export class AvroFormat implements SchemaFormat<AvroNative> {
  readonly schemaType = 'AVRO';
  readonly displayName = 'Avro';
  private readonly options: AvroDataOptions;

  constructor(options: AvroDataOptions) {
    this.options = options;
  }

  fromConnectSchema(schema: Schema): FormatSchema<AvroNative> {
    const json = fromConnectSchema(schema, this.options);
    const names = new AvroNames();
    names.add(json);
    return { text: JSON.stringify(json), native: { json, names, type: avscType(json, []) } };
  }

  recordName(native: AvroNative): string | null {
    const json = native.json;
    if (typeof json !== 'object' || Array.isArray(json) || json.type !== 'record' || typeof json.name !== 'string') return null;
    return json.name.includes('.') || typeof json.namespace !== 'string' || json.namespace === '' ? json.name : `${json.namespace}.${json.name}`;
  }

  parse(registered: RegisteredSchema, referenced: readonly RegisteredSchema[]): AvroNative {
    const names = new AvroNames();
    const refs = referenced.map((r) => parseJson(r.schema, `referenced schema ${r.schema.slice(0, 80)}`));
    for (const r of refs) names.add(r);
    const json = parseJson(registered.schema, 'the registered Avro schema');
    names.add(json);
    try {
      return { json, names, type: avscType(json, refs) };
    } catch (err) {
      throw new DataException(`the registered Avro schema cannot be used: ${(err as Error).message}`, { cause: err });
    }
  }

  toConnectSchema(native: AvroNative): Schema {
    return toConnectSchema(native.json, native.names, this.options);
  }

  serialize(schema: Schema, native: AvroNative, value: unknown): Uint8Array {
    const avroValue = toAvroValue(schema, native.json, undefined, native.names, value);
    try {
      return native.type.toBuffer(avroValue);
    } catch (err) {
      throw new DataException(`the value does not fit its Avro schema: ${(err as Error).message}`, { cause: err });
    }
  }

  deserialize(schema: Schema, native: AvroNative, payload: Buffer): unknown {
    let decoded: unknown;
    try {
      decoded = native.type.fromBuffer(payload);
    } catch (err) {
      throw new DataException(`the payload is not Avro data of the schema it names: ${(err as Error).message}`, { cause: err });
    }
    return toConnectValue(schema, native.json, undefined, native.names, decoded);
  }
}

export class AvroConverter extends RegistryConverter<AvroNative> {
  protected createFormat(settings: RegistryConverterSettings): AvroFormat {
    return new AvroFormat({ connectMetaData: settings.connectMetaData });
  }
}
