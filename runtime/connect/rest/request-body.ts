/**
 * Request bodies: JSON only (as Kafka Connect's @Consumes(application/json)), parsed without
 * letting `__proto__` keys through, and checked into the shapes the herder takes. Scalars in a
 * config map become strings, as Jackson does for Kafka's Map<String, String> bodies
 * (`"tasks.max": 1` works); objects, arrays and nulls are a 400 naming the key.
 */
import type { ConnectorOffsets, InitialState } from '../herder/herder-types.ts';
import { RestError, badRequest } from './rest-errors.ts';

const INITIAL_STATES: readonly InitialState[] = ['RUNNING', 'PAUSED', 'STOPPED'];

/** True for a Content-Type this API reads: JSON, or none at all. */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType.trim() === '') return true;
  const type = contentType.split(';')[0].trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

export function unsupportedMediaType(contentType: string): RestError {
  return new RestError(415, 'REST_UNSUPPORTED_MEDIA_TYPE', `Unsupported Content-Type ${contentType}: send JSON with "Content-Type: application/json"`, {
    context: { contentType },
  });
}

/** Parses a request body; an empty body is `undefined`. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text, (key, value: unknown) => {
      // A "__proto__" key would become the prototype when a body is merged into an object.
      if (key === '__proto__') throw new SyntaxError('the key "__proto__" is not allowed');
      return value;
    });
  } catch (err) {
    throw badRequest(`Request body is not valid JSON: ${(err as Error).message}`, {}, err);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value === undefined) return 'nothing';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function requireObject(body: unknown, what: string): Record<string, unknown> {
  if (!isObject(body)) throw badRequest(`${what} must be a JSON object, got ${describe(body)}`);
  return body;
}

function configValue(key: string, value: unknown, what: string, allowNull: boolean): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null && allowNull) return null;
  throw badRequest(`${what}: the value of "${key}" must be a string, got ${describe(value)}`, { key });
}

/** A connector config map (PUT /config, POST /connectors `config`, /config/validate). */
export function configMapBody(body: unknown, what = 'The connector config'): Record<string, string> {
  const object = requireObject(body, what);
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(object)) out[key] = configValue(key, value, what, false) as string;
  return out;
}

/** A PATCH /config body: like a config map, where null removes the key. */
export function configPatchBody(body: unknown): Record<string, string | null> {
  const what = 'The connector config patch';
  const object = requireObject(body, what);
  const out: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(object)) out[key] = configValue(key, value, what, true);
  return out;
}

export interface CreateConnectorRequest {
  name: string;
  config: Record<string, string>;
  initialState: InitialState;
}

/** POST /connectors: `{name, config, initial_state?}`; the name is trimmed, as Kafka does. */
export function createConnectorBody(body: unknown): CreateConnectorRequest {
  const object = requireObject(body, 'The create connector request ({"name": ..., "config": {...}})');
  const { name, config, initial_state: initial } = object;
  if (name !== undefined && name !== null && typeof name !== 'string') throw badRequest(`"name" must be a string, got ${describe(name)}`, { key: 'name' });
  if (config === undefined || config === null) throw badRequest('The create connector request has no "config": expected {"name": ..., "config": {...}}', { key: 'config' });
  let initialState: InitialState = 'RUNNING';
  if (initial !== undefined && initial !== null) {
    const upper = typeof initial === 'string' ? initial.trim().toUpperCase() : '';
    if (!INITIAL_STATES.includes(upper as InitialState)) {
      throw badRequest(`"initial_state" must be one of ${INITIAL_STATES.join(', ')}, got ${JSON.stringify(initial)}`, { key: 'initial_state' });
    }
    initialState = upper as InitialState;
  }
  return { name: typeof name === 'string' ? name.trim() : '', config: configMapBody(config, 'The connector config'), initialState };
}

/** PATCH /offsets: `{"offsets": [{"partition": {...}, "offset": {...} | null}, ...]}`. */
export function offsetsBody(body: unknown): ConnectorOffsets {
  const object = requireObject(body, 'The offsets request ({"offsets": [...]})');
  const list = object.offsets;
  if (list === undefined || list === null || (Array.isArray(list) && list.length === 0)) {
    throw badRequest('Partitions / offsets need to be provided for an alter offsets request', { key: 'offsets' });
  }
  if (!Array.isArray(list)) throw badRequest(`"offsets" must be an array, got ${describe(list)}`, { key: 'offsets' });
  return {
    offsets: list.map((entry: unknown, index) => {
      const where = `offsets[${index}]`;
      if (!isObject(entry)) throw badRequest(`${where} must be an object with "partition" and "offset", got ${describe(entry)}`, { key: where });
      const { partition, offset } = entry;
      if (!isObject(partition)) throw badRequest(`${where}.partition must be an object, got ${describe(partition)}`, { key: `${where}.partition` });
      if (offset !== null && !isObject(offset)) throw badRequest(`${where}.offset must be an object or null, got ${describe(offset)}`, { key: `${where}.offset` });
      return { partition, offset };
    }),
  };
}

/** PUT /admin/loggers/{logger}: `{"level": "DEBUG"}`. */
export function loggerLevelBody(body: unknown): string {
  const level = isObject(body) ? body.level : undefined;
  if (level === undefined || level === null) throw badRequest("Desired 'level' parameter was not specified in request.", { key: 'level' });
  if (typeof level !== 'string') throw badRequest(`"level" must be a string, got ${describe(level)}`, { key: 'level' });
  return level;
}
