/**
 * Secrets never leave the worker in a response body. The herder masks PASSWORD keys with the
 * connector's own definition; this layer masks again by key name (maskSecrets without a
 * definition) so that a value the herder did not know to be secret — a pass-through
 * `producer.override.sasl.jaas.config`, say — is hidden as well. Config provider references
 * (`${file:...}`) hold no secret and are kept, as Kafka Connect shows them.
 */
import type { ConfigInfos } from '../config/index.ts';
import { HIDDEN, maskSecrets } from '../config/index.ts';
import type { ConnectorInfo, TaskInfo } from '../herder/herder-types.ts';

/**
 * An error about a submitted config may quote it (Kafka's "Connector config {...} contains no
 * connector type" does): every secret value of `config` in its message becomes `[hidden]`.
 */
export function scrubSecrets(err: unknown, config: Readonly<Record<string, string | null>>): unknown {
  if (!(err instanceof Error)) return err;
  let message = err.message;
  for (const [key, value] of Object.entries(config)) {
    // Very short values would blank out unrelated text; they are no real secrets either.
    if (value === null || value.length < 4 || maskSecrets(null, { [key]: value })[key] !== HIDDEN) continue;
    for (const form of [value, JSON.stringify(value).slice(1, -1)]) message = message.split(form).join(HIDDEN);
  }
  if (message !== err.message) err.message = message;
  return err;
}

export function maskConfig(config: Readonly<Record<string, string>>): Record<string, string> {
  return maskSecrets(null, config) as Record<string, string>;
}

export function maskConnectorInfo(info: ConnectorInfo): ConnectorInfo {
  return { ...info, config: maskConfig(info.config) };
}

export function maskTaskInfos(tasks: readonly TaskInfo[]): TaskInfo[] {
  return tasks.map((task) => ({ ...task, config: maskConfig(task.config) }));
}

/** /config/validate: PASSWORD values, and undefined keys named like secrets. */
export function maskConfigInfos(infos: ConfigInfos): ConfigInfos {
  return {
    ...infos,
    configs: infos.configs.map((info) => {
      const value = info.value;
      if (value === null || value.value === null) return info;
      const masked = info.definition?.type === 'PASSWORD' ? HIDDEN : (maskSecrets(null, { [value.name]: value.value })[value.name] as string);
      return masked === value.value ? info : { ...info, value: { ...value, value: masked } };
    }),
  };
}
