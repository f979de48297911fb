import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Root logger factory. Components take a child bound to what they work on
 * ({component, connector, task, topic, partition}) so every line says where it comes from.
 * Level from SLUICE_LOG_LEVEL (default info); tests default to silent.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = process.env.SLUICE_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info');
  return pino({ level, base: { pid: process.pid }, ...options });
}

export function componentLogger(root: Logger, component: string, bindings: Record<string, unknown> = {}): Logger {
  return root.child({ component, ...bindings });
}
