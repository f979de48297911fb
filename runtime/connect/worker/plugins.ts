/**
 * The plugin registry: connector classes by Kafka's class names and aliases (the simple class
 * name, and that name without "Connector"), the built-in connectors, and connectors loaded from
 * plugin.path (folders or npm packages). The one file in runtime that may import connectors/.
 */
import type { Logger } from '../../observability/logger.ts';
import { ConfigError } from '../../util/errors.ts';
import type { Connector } from '../api/index.ts';
import { availableConverters, availableHeaderConverters } from '../converters/index.ts';
import { FILE_STREAM_SINK_CLASS, FileStreamSinkConnector } from '../../../connectors/file/filestream-sink.ts';
import { FILE_STREAM_SOURCE_CLASS, FileStreamSourceConnector } from '../../../connectors/file/filestream-source.ts';
import { FILE_SOURCE_CLASS, FileSourceConnector } from '../../../connectors/file/file-source-connector.ts';
import { plugins as elasticsearchPlugins } from '../../../connectors/elasticsearch/plugin.ts';
import { plugins as mongoDbPlugins } from '../../../connectors/mongodb/plugin.ts';
import { loadPluginPath } from './plugin-path.ts';
import { transformationPlugins } from './transformation-chain.ts';

export type ConnectorType = 'source' | 'sink';
export type PluginType = ConnectorType | 'converter' | 'header_converter' | 'transformation' | 'predicate';

export interface ConnectorPlugin {
  /** The full class name, as /connector-plugins lists it. */
  readonly className: string;
  readonly aliases: readonly string[];
  readonly type: ConnectorType;
  readonly version: string;
  /** `builtin`, or the plugin.path entry it came from. */
  readonly origin: string;
  create(): Connector;
}

/** One entry of GET /connector-plugins. */
export interface PluginDescriptor {
  class: string;
  type: PluginType;
  version: string;
}

/** A class exported by a plugin module that looks like a connector. */
export type ConnectorClass = new () => Connector;

/** A connector known by name, type and version before its module loads (on first create()). */
export interface LazyConnector {
  readonly className: string;
  readonly aliases: readonly string[];
  readonly type: ConnectorType;
  readonly version: string;
  load(): ConnectorClass;
}

/** Kafka's alias rules: the simple name, and the simple name without a "Connector" suffix. */
export function aliasesOf(className: string): string[] {
  const simple = className.slice(className.lastIndexOf('.') + 1);
  const names = [simple];
  if (simple.endsWith('Connector') && simple !== 'Connector') names.push(simple.slice(0, -'Connector'.length));
  return names.filter((n) => n !== className);
}

/** Whether a connector instance is a source or sink, from what its task class can do. */
export function connectorTypeOf(connector: Connector): ConnectorType | undefined {
  const taskClass = (connector as { taskClass?: () => unknown }).taskClass?.();
  const proto = (taskClass as { prototype?: Record<string, unknown> } | undefined)?.prototype;
  if (proto === undefined) return undefined;
  if (typeof proto.poll === 'function') return 'source';
  if (typeof proto.put === 'function') return 'sink';
  return undefined;
}

export class PluginRegistry {
  readonly #connectors: ConnectorPlugin[] = [];
  readonly #byName = new Map<string, ConnectorPlugin>();
  readonly #workerVersion: string;

  constructor(workerVersion: string) {
    this.#workerVersion = workerVersion;
  }

  /** A registry with the built-in connectors. */
  static withBuiltins(workerVersion: string): PluginRegistry {
    const registry = new PluginRegistry(workerVersion);
    registry.register(FileStreamSourceConnector, { className: FILE_STREAM_SOURCE_CLASS, origin: 'builtin' });
    registry.register(FileStreamSinkConnector, { className: FILE_STREAM_SINK_CLASS, origin: 'builtin' });
    registry.register(FileSourceConnector, { className: FILE_SOURCE_CLASS, origin: 'builtin' });
    // The MongoDB and Elasticsearch connectors bring large client libraries: loaded when first used.
    for (const plugin of [...mongoDbPlugins, ...elasticsearchPlugins]) registry.registerLazy(plugin, 'builtin');
    return registry;
  }

  /**
   * Registers a connector class under its class name and Kafka's aliases. Returns the names it
   * could not take because another plugin has them (the first registration keeps a name).
   */
  register(ctor: ConnectorClass, options: { className?: string; aliases?: readonly string[]; origin: string }): string[] {
    const sample = new ctor();
    const type = connectorTypeOf(sample);
    const className = options.className ?? (ctor as { className?: unknown }).className?.toString() ?? ctor.name;
    if (type === undefined) {
      throw new ConfigError(`${className} from ${options.origin} is not a connector: its taskClass() has neither poll() nor put()`, { code: 'PLUGIN_INVALID' });
    }
    return this.#add({
      className,
      aliases: [...new Set([...aliasesOf(className), ...(options.aliases ?? [])])],
      type,
      version: safeVersion(sample),
      origin: options.origin,
      create: () => new ctor(),
    });
  }

  /**
   * Registers a connector whose module loads on its first create(); see register() for the names.
   * The built-ins load with require(), which under vitest gives a module copy apart from the
   * test's own imports: tests compare such classes by name, not identity.
   */
  registerLazy(lazy: LazyConnector, origin: string): string[] {
    let ctor: ConnectorClass | undefined;
    return this.#add({
      className: lazy.className,
      aliases: [...new Set([...aliasesOf(lazy.className), ...lazy.aliases])],
      type: lazy.type,
      version: lazy.version,
      origin,
      create: () => new (ctor ??= lazy.load())(),
    });
  }

  #add(plugin: ConnectorPlugin): string[] {
    const { className } = plugin;
    const taken: string[] = [];
    if (this.#byName.has(className)) return [className];
    this.#connectors.push(plugin);
    for (const name of [className, ...plugin.aliases]) {
      if (this.#byName.has(name)) taken.push(name);
      else this.#byName.set(name, plugin);
    }
    return taken;
  }

  /** Loads the plugin.path entries (see plugin-path.ts); problems are logged, never fatal. */
  async loadPluginPath(entries: readonly string[], logger: Logger, baseDir = process.cwd()): Promise<void> {
    await loadPluginPath(this, entries, logger, baseDir);
  }

  find(name: string): ConnectorPlugin | undefined {
    return this.#byName.get(name.trim());
  }

  /** The connector class named by `connector.class`; unknown names are a ConfigError listing the available ones. */
  connector(name: string, configKey = 'connector.class'): ConnectorPlugin {
    const plugin = this.find(name);
    if (plugin === undefined) {
      const available = this.#connectors.map((p) => `${p.className} (${p.aliases.join(', ')})`).join('; ');
      throw new ConfigError(`Invalid value "${name}" for configuration ${configKey}: no connector class named ${name}; available: ${available}`, {
        code: 'CONFIG_INVALID',
        context: { key: configKey, value: name },
      });
    }
    return plugin;
  }

  connectors(): ConnectorPlugin[] {
    return [...this.#connectors];
  }

  /** GET /connector-plugins: connectors, plus converters, transformations and predicates unless `connectorsOnly`. */
  plugins(connectorsOnly = true): PluginDescriptor[] {
    const list: PluginDescriptor[] = this.#connectors.map((p) => ({ class: p.className, type: p.type, version: p.version }));
    if (!connectorsOnly) {
      for (const c of availableConverters()) list.push({ class: c, type: 'converter', version: this.#workerVersion });
      for (const c of availableHeaderConverters()) list.push({ class: c, type: 'header_converter', version: this.#workerVersion });
      for (const t of transformationPlugins()) list.push({ class: t.className, type: t.kind, version: this.#workerVersion });
    }
    return list.sort((a, b) => (a.class < b.class ? -1 : a.class > b.class ? 1 : 0));
  }
}

function safeVersion(connector: Connector): string {
  try {
    return connector.version();
  } catch {
    return 'undefined';
  }
}
