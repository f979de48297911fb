/**
 * The file connectors' logger. The Connector API gives connectors no logger (Kafka's use SLF4J
 * directly), so this is a pino logger following the project's conventions: level from
 * SLUICE_LOG_LEVEL, default info, silent under tests; each task binds its component, connector
 * and task.
 */
import type { Logger } from 'pino';
import { pino } from 'pino';

export type { Logger };

let root: Logger | null = null;

export function fileLogger(component: 'file-source' | 'filestream-sink', bindings: Record<string, unknown>): Logger {
  root ??= pino({ level: process.env.SLUICE_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'), base: { pid: process.pid } });
  return root.child({ component, ...bindings });
}
