/**
 * The real peers that test/services can start, the variable that points at each, and the
 * `// @services` header through which a test file declares what it needs. Shared by the vitest
 * global setup (main process) and the helpers tests call (workers).
 */
import { ConfigError } from '../../runtime/util/errors.ts';

export const SERVICE_NAMES = ['kafka', 'elasticsearch', 'ferretdb', 'mongo-oplog'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** The environment variable that `up` prints for each service and that points tests at it. */
export const SERVICE_ENV: Readonly<Record<ServiceName, string>> = {
  kafka: 'KAFKA_BOOTSTRAP',
  elasticsearch: 'ELASTICSEARCH_URL',
  ferretdb: 'MONGODB_URL',
  'mongo-oplog': 'MONGODB_CHANGESTREAM_URL',
};

/** What the global setup hands to tests for one service. */
export type ServiceState =
  /** `managed` is false when the value came from the environment (a service run by someone else). */
  | { ok: true; value: string; managed: boolean }
  | { ok: false; reason: string };

export type ServiceStates = Partial<Record<ServiceName, ServiceState>>;

/** Key of the value the global setup provides (vitest `provide`/`inject`). */
export const PROVIDED_KEY = 'sluiceServices';

declare module 'vitest' {
  export interface ProvidedContext {
    sluiceServices: ServiceStates;
  }
}

export function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}

const HEADER = /^\s*\/\/\s*@services\b(.*)$/;

/**
 * The services a test file declares with a line `// @services kafka, elasticsearch` among the
 * comment lines at its top (names separated by commas or spaces). No such line: none.
 */
export function declaredServices(source: string, file: string): ServiceName[] {
  const names: ServiceName[] = [];
  const lines = source.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line !== '' && !line.startsWith('//') && !line.startsWith('/*') && !line.startsWith('*')) break;
    const match = HEADER.exec(line);
    if (!match) continue;
    for (const name of match[1].split(/[\s,]+/).filter((n) => n !== '')) {
      if (!isServiceName(name)) {
        throw new ConfigError(`${file}:${i + 1}: unknown service '${name}' in the @services line (known: ${SERVICE_NAMES.join(', ')})`, {
          code: 'SERVICE_UNKNOWN',
          context: { file, line: i + 1 },
        });
      }
      if (!names.includes(name)) names.push(name);
    }
  }
  return names;
}
