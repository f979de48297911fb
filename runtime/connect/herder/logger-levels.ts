/**
 * Named loggers whose levels change at run time (Kafka Connect's /admin/loggers): every logger of
 * the worker is created here under a dotted name (`connect.worker`, `connect.task.<connector>`,
 * ...); setting a level on a name applies to that logger and every logger below it, and `root`
 * applies to all. Levels use Kafka's (log4j) names: OFF, FATAL, ERROR, WARN, INFO, DEBUG, TRACE.
 */
import type { Logger } from '../../observability/logger.ts';
import type { Clock } from '../../util/clock.ts';
import { BadRequestException } from './herder-errors.ts';
import type { LoggerLevel } from './herder-types.ts';
import { NotFoundException } from '../api/index.ts';

export const ROOT_LOGGER = 'root';

const TO_PINO: Readonly<Record<string, string>> = { OFF: 'silent', FATAL: 'fatal', ERROR: 'error', WARN: 'warn', INFO: 'info', DEBUG: 'debug', TRACE: 'trace' };
const FROM_PINO: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(TO_PINO).map(([k, v]) => [v, k]));

function covers(namespace: string, name: string): boolean {
  return namespace === ROOT_LOGGER || name === namespace || name.startsWith(`${namespace}.`);
}

export class LoggerLevels {
  readonly #root: Logger;
  readonly #clock: Clock;
  readonly #loggers = new Map<string, Set<WeakRef<Logger>>>();
  /** Levels set through the API, with when: only these have a last_modified. */
  readonly #set = new Map<string, LoggerLevel>();

  constructor(root: Logger, clock: Clock) {
    this.#root = root;
    this.#clock = clock;
  }

  /** A logger named `name` (dotted), with `bindings` on every line; it follows level changes of its namespaces. */
  logger(name: string, bindings: Record<string, unknown> = {}): Logger {
    const logger = this.#root.child({ logger: name, ...bindings });
    const level = this.#effective(name);
    if (level !== undefined) logger.level = TO_PINO[level];
    let refs = this.#loggers.get(name);
    if (refs === undefined) {
      refs = new Set();
      this.#loggers.set(name, refs);
    }
    refs.add(new WeakRef(logger));
    return logger;
  }

  /** The level set for the longest namespace covering `name`, if any. */
  #effective(name: string): string | undefined {
    let best: { namespace: string; level: string } | undefined;
    for (const [namespace, { level }] of this.#set) {
      if (!covers(namespace, name)) continue;
      const depth = namespace === ROOT_LOGGER ? -1 : namespace.length;
      const bestDepth = best === undefined ? -2 : best.namespace === ROOT_LOGGER ? -1 : best.namespace.length;
      if (depth > bestDepth) best = { namespace, level };
    }
    return best?.level;
  }

  #liveNames(): string[] {
    const names: string[] = [];
    for (const [name, refs] of this.#loggers) {
      for (const ref of refs) if (ref.deref() === undefined) refs.delete(ref);
      if (refs.size > 0) names.push(name);
      else this.#loggers.delete(name);
    }
    return names;
  }

  /** GET /admin/loggers: every known logger (and root) with its level. */
  levels(): Record<string, LoggerLevel> {
    const out: Record<string, LoggerLevel> = {};
    for (const name of [ROOT_LOGGER, ...this.#liveNames().sort(), ...[...this.#set.keys()].sort()]) {
      if (out[name] !== undefined) continue;
      out[name] = this.level(name);
    }
    return out;
  }

  /** GET /admin/loggers/{name}; unknown names are a NotFoundException. */
  level(name: string): LoggerLevel {
    const set = this.#set.get(name);
    if (set !== undefined) return { ...set };
    if (name !== ROOT_LOGGER && !this.#liveNames().includes(name)) throw new NotFoundException(`Logger ${name} not found.`);
    const level = this.#effective(name) ?? FROM_PINO[this.#root.level] ?? this.#root.level.toUpperCase();
    return { level, last_modified: null };
  }

  /** PUT /admin/loggers/{namespace}: sets the level; returns the names of the loggers it changed. */
  setLevel(namespace: string, level: string): string[] {
    const upper = level.trim().toUpperCase();
    const pinoLevel = TO_PINO[upper];
    if (pinoLevel === undefined) throw new BadRequestException(`Invalid log level '${level}'. Valid values: ${Object.keys(TO_PINO).join(', ')}`);
    // A namespace set later overrides the levels set below it, as in Kafka.
    for (const name of [...this.#set.keys()]) if (name !== namespace && covers(namespace, name)) this.#set.delete(name);
    this.#set.set(namespace, { level: upper, last_modified: this.#clock.now() });
    if (namespace === ROOT_LOGGER) this.#root.level = pinoLevel;
    const affected: string[] = namespace === ROOT_LOGGER ? [ROOT_LOGGER] : [];
    for (const name of this.#liveNames()) {
      if (!covers(namespace, name)) continue;
      affected.push(name);
      for (const ref of this.#loggers.get(name) ?? []) {
        const logger = ref.deref();
        if (logger !== undefined) logger.level = pinoLevel;
      }
    }
    return affected.sort();
  }
}
