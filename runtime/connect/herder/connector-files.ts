/**
 * Connector configs given to connect-standalone on the command line: `.properties` files, or
 * `.json` files holding either the body of POST /connectors (`{"name", "config",
 * "initial_state"?}`) or of PUT /connectors/{name}/config (a flat map with `name`), as Kafka
 * Connect accepts them. Errors name the file (and line, for properties).
 */
import { readFile } from 'node:fs/promises';
import { ConfigError, messageOf } from '../../util/errors.ts';
import { propertiesToRecord, readPropertiesFile } from '../config/index.ts';
import type { InitialState } from './herder-types.ts';

export interface ConnectorFile {
  file: string;
  name: string;
  config: Record<string, string>;
  initialState: InitialState;
  /** Line of each key, for properties files. */
  lines?: ReadonlyMap<string, number>;
}

const INITIAL_STATES: readonly InitialState[] = ['RUNNING', 'PAUSED', 'STOPPED'];

export async function readConnectorFile(file: string): Promise<ConnectorFile> {
  if (file.toLowerCase().endsWith('.json')) return readJsonConnectorFile(file);
  const parsed = await readPropertiesFile(file);
  const config = propertiesToRecord(parsed);
  return { file, name: nameOf(config, file), config, initialState: 'RUNNING', lines: parsed.lines };
}

function nameOf(config: Record<string, string>, file: string, line?: number): string {
  const name = config.name?.trim();
  if (name === undefined || name === '') {
    throw new ConfigError(`${file}${line === undefined ? '' : `:${line}`}: Missing required configuration "name" which has no default value.`, {
      code: 'CONFIG_MISSING',
      context: { file, key: 'name' },
    });
  }
  return name;
}

async function readJsonConnectorFile(file: string): Promise<ConnectorFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : messageOf(err);
    throw new ConfigError(`Cannot read connector config file ${file}: ${reason}`, { code: 'CONFIG_FILE_UNREADABLE', cause: err, context: { file } });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file}: not valid JSON (${messageOf(err)})`, { code: 'CONFIG_INVALID', cause: err, context: { file } });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ConfigError(`${file}: expected a JSON object, either {"name": ..., "config": {...}} or a flat map of configs`, { code: 'CONFIG_INVALID', context: { file } });
  }
  const object = body as Record<string, unknown>;
  const nested = typeof object.config === 'object' && object.config !== null && !Array.isArray(object.config);
  const config = stringMap(nested ? (object.config as Record<string, unknown>) : object, file);
  let initialState: InitialState = 'RUNNING';
  if (nested) {
    if (typeof object.name === 'string' && config.name === undefined) config.name = object.name;
    if (typeof object.name === 'string' && config.name !== object.name) {
      throw new ConfigError(`${file}: "name" (${object.name}) and config "name" (${config.name}) differ`, { code: 'CONFIG_INVALID', context: { file, key: 'name' } });
    }
    if (object.initial_state !== undefined) {
      const state = String(object.initial_state).toUpperCase() as InitialState;
      if (!INITIAL_STATES.includes(state)) {
        throw new ConfigError(`${file}: invalid "initial_state" ${JSON.stringify(object.initial_state)}; expected one of ${INITIAL_STATES.join(', ')}`, {
          code: 'CONFIG_INVALID',
          context: { file, key: 'initial_state' },
        });
      }
      initialState = state;
    }
  }
  return { file, name: nameOf(config, file), config, initialState };
}

/** Config values as strings (numbers and booleans converted, as Kafka's REST API accepts them). */
function stringMap(values: Record<string, unknown>, file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === null || value === undefined) continue;
    if (typeof value === 'object') {
      throw new ConfigError(`${file}: the value of "${key}" must be a string, not ${Array.isArray(value) ? 'an array' : 'an object'}`, {
        code: 'CONFIG_INVALID',
        context: { file, key },
      });
    }
    out[key] = String(value);
  }
  return out;
}
