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
