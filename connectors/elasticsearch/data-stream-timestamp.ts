/**
 * `@timestamp` for data stream documents, which Elasticsearch requires: the value of the first
 * `data.stream.timestamp.field` present at the top level of the document (as text, so that
 * date strings and epoch numbers both work), or else the Kafka record timestamp. With listed
 * fields and none present, the document is left alone and Elasticsearch rejects it as malformed,
 * as in Confluent's connector.
 */
import type { JsonValue } from '../../runtime/connect/api/index.ts';
import { JsonNumber, isJsonObject, parseJson } from '../../runtime/connect/api/index.ts';
import { MalformedDocumentError } from './document-body.ts';

export const TIMESTAMP_FIELD = '@timestamp';

/** JSON text of a parsed value, numbers exactly as they were written. */
function writeJson(value: JsonValue): string {
  if (value instanceof JsonNumber) return value.text;
  if (Array.isArray(value)) return `[${value.map(writeJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${writeJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function asText(value: JsonValue): string {
  if (typeof value === 'string') return value;
  if (value instanceof JsonNumber) return value.text;
  return writeJson(value);
}

/** The document with `@timestamp` set (first in the object). */
export function withTimestamp(documentJson: string, fields: readonly string[], recordTimestamp: number | null): string {
  let parsed: JsonValue;
  try {
    parsed = parseJson(documentJson);
  } catch (err) {
    throw new MalformedDocumentError(`The document is not valid JSON: ${(err as Error).message}`);
  }
  if (!isJsonObject(parsed)) throw new MalformedDocumentError('The document is not a JSON object');
  let timestamp: JsonValue;
  if (fields.length === 0) {
    timestamp = recordTimestamp;
  } else {
    const field = fields.find((f) => Object.hasOwn(parsed, f));
    if (field === undefined) return documentJson;
    timestamp = asText(parsed[field]);
  }
  const { [TIMESTAMP_FIELD]: _previous, ...rest } = parsed;
  return writeJson({ [TIMESTAMP_FIELD]: timestamp, ...rest });
}
