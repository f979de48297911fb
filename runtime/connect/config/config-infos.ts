/**
 * Kafka Connect's `/connector-plugins/{plugin}/config/validate` response shape (ConfigInfos) and
 * the `/connector-plugins/{plugin}/config` key list (ConfigKeyInfo), built from definitions and
 * their validation results. Secrets render as `[hidden]`.
 */
import type { ConfigDef, ConfigKey, ConfigValue } from './config-def.ts';
import { convertToString } from '../../util/config/config-types.ts';

export interface ConfigKeyInfo {
  name: string;
  type: string;
  required: boolean;
  default_value: string | null;
  importance: string;
  documentation: string;
  group: string | null;
  width: string;
  display_name: string;
  dependents: string[];
  order: number;
}

export interface ConfigValueInfo {
  name: string;
  value: string | null;
  recommended_values: string[];
  errors: string[];
  visible: boolean;
}

export interface ConfigInfo {
  definition: ConfigKeyInfo | null;
  value: ConfigValueInfo | null;
}

export interface ConfigInfos {
  name: string;
  error_count: number;
  groups: string[];
  configs: ConfigInfo[];
}

/** The REST form of a key definition (`prefix` is prepended to its name). */
export function configKeyInfo(key: ConfigKey, prefix = ''): ConfigKeyInfo {
  return {
    name: prefix + key.name,
    type: key.type,
    required: !key.hasDefault,
    default_value: key.hasDefault ? convertToString(key.defaultValue, key.type) : null,
    importance: key.importance,
    documentation: key.documentation,
    group: key.group,
    width: key.width,
    display_name: key.displayName,
    dependents: [...key.dependents],
    order: key.orderInGroup,
  };
}

/** The REST form of a validation result; the value is rendered with the key's type. */
export function configValueInfo(value: ConfigValue, key: ConfigKey | undefined, prefix = ''): ConfigValueInfo {
  const type = key?.type;
  return {
    name: prefix + value.name,
    value: convertToString(value.value, type),
    recommended_values: value.recommendedValues.map((v) => convertToString(v, type === 'LIST' ? 'STRING' : type) ?? 'null'),
    errors: [...value.errors],
    visible: value.visible,
  };
}

/** One definition's validation results, with an optional key prefix (e.g. `transforms.route.`). */
export interface ValidatedPart {
  def: ConfigDef<object>;
  values: readonly ConfigValue[];
  prefix?: string;
}

/**
 * Merges validation results of several definitions (connector common keys, the connector's own
 * keys, each transform's keys) into one ConfigInfos. `error_count` counts error messages and
 * groups keep their first-seen order, as Kafka's herder does.
 */
export function buildConfigInfos(name: string, parts: readonly ValidatedPart[]): ConfigInfos {
  const groups: string[] = [];
  const configs: ConfigInfo[] = [];
  let errorCount = 0;
  for (const { def, values, prefix = '' } of parts) {
    for (const g of def.groups()) if (!groups.includes(g)) groups.push(g);
    const byName = new Map(values.map((v) => [v.name, v]));
    for (const key of def.keys()) {
      const value = byName.get(key.name);
      if (value) errorCount += value.errors.length;
      configs.push({ definition: configKeyInfo(key, prefix), value: value ? configValueInfo(value, key, prefix) : null });
    }
    for (const value of values) {
      if (def.has(value.name)) continue;
      errorCount += value.errors.length;
      configs.push({ definition: null, value: configValueInfo(value, undefined, prefix) });
    }
  }
  return { name, error_count: errorCount, groups, configs };
}
