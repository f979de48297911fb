/**
 * io.confluent.connect.json.JsonSchemaConverter: Connect data as JSON in Confluent's wire format,
 * with a JSON Schema registered in (or looked up from) a schema registry.
 */
import { DataException, parseJson, type Schema } from '../../api/index.ts';
import { fromConnectSchema, jsonText, jsonTree, connectValue, JsonSchemaRefs, toConnectSchema, type JsonSchemaDataOptions, type JsonSchemaNode } from './json-schema-data.ts';
import type { RegisteredSchema } from './registry-client.ts';
import { RegistryConverter } from './registry-converter.ts';
import type { RegistryConverterSettings } from './registry-converter-config.ts';
import type { FormatSchema, SchemaFormat } from './schema-format.ts';

export interface JsonSchemaNative {
  root: JsonSchemaNode;
  refs: JsonSchemaRefs;
}

function parseDocument(text: string, what: string): JsonSchemaNode {
  try {
    return JSON.parse(text) as JsonSchemaNode;
  } catch (err) {
    throw new DataException(`${what} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

export class JsonSchemaFormat implements SchemaFormat<JsonSchemaNative> {
  readonly schemaType = 'JSON';
  readonly displayName = 'JSON';
  private readonly options: JsonSchemaDataOptions;

  constructor(options: JsonSchemaDataOptions) {
    this.options = options;
  }

  fromConnectSchema(schema: Schema): FormatSchema<JsonSchemaNative> {
    const root = fromConnectSchema(schema, this.options);
    return { text: JSON.stringify(root), native: { root, refs: new JsonSchemaRefs(root, new Map()) } };
  }

  recordName(native: JsonSchemaNative): string | null {
    const root = native.root;
    return typeof root === 'object' && typeof root.title === 'string' ? root.title : null;
  }

  parse(registered: RegisteredSchema, referenced: readonly RegisteredSchema[]): JsonSchemaNative {
    const root = parseDocument(registered.schema, 'the registered JSON Schema');
    const documents = new Map<string, JsonSchemaNode>();
    // Referenced schemas are found by the names the references give them (the $ref URLs).
    for (const ref of registered.references) {
      const doc = referenced.find((r) => (r as { subject?: string }).subject === ref.subject && (r as { version?: number }).version === ref.version);
      if (doc !== undefined) documents.set(ref.name, parseDocument(doc.schema, `referenced schema ${ref.name}`));
    }
    return { root, refs: new JsonSchemaRefs(root, documents) };
  }

  toConnectSchema(native: JsonSchemaNative): Schema {
    return toConnectSchema(native.root, native.refs);
  }

  serialize(schema: Schema, _native: JsonSchemaNative, value: unknown): Uint8Array {
    return Buffer.from(jsonText(jsonTree(schema, value, this.options)), 'utf8');
  }

  deserialize(schema: Schema, _native: JsonSchemaNative, payload: Buffer): unknown {
    let json;
    try {
      json = parseJson(payload.toString('utf8'));
    } catch (err) {
      throw new DataException(`the payload is not JSON: ${(err as Error).message}`, { cause: err });
    }
    return connectValue(schema, json);
  }
}

export class JsonSchemaConverter extends RegistryConverter<JsonSchemaNative> {
  protected createFormat(settings: RegistryConverterSettings): JsonSchemaFormat {
    return new JsonSchemaFormat({ decimalFormat: settings.decimalFormat });
  }
}
