/**
 * The MongoDB connectors' logger. The Connector API gives connectors no logger, so this is a pino
 * logger following the project's conventions: level from SLUICE_LOG_LEVEL, default info, silent
 * under tests.
 */
import type { Logger } from 'pino';
import { pino } from 'pino';

export type { Logger };

let root: Logger | null = null;

export function mongoLogger(component: string, bindings: Record<string, unknown> = {}): Logger {
  root ??= pino({ level: process.env.SLUICE_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'), base: { pid: process.pid } });
  return root.child({ component, ...bindings });
}
