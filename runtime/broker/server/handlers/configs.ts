import { messageOf } from '../../../util/errors.ts';
import { formatConfigValue } from '../../log/config-def.ts';
import type { ConfigKeyDef, ConfigType } from '../../log/config-def.ts';
import { TOPIC_CONFIG, TOPIC_CONFIG_SYNONYMS } from '../../log/topic-config.ts';
import type { TopicConfig } from '../../log/topic-config.ts';
import { ErrorCode } from '../../protocol/index.ts';
import type {
  AlterConfigsRequest,
  AlterConfigsResponse,
  DescribeConfigsRequest,
  DescribeConfigsResponse,
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse,
  InputOf,
} from '../../protocol/index.ts';
import type { TopicsService } from '../topics.ts';
import type { RequestScope } from './scope.ts';

/**
 * DescribeConfigs, AlterConfigs and IncrementalAlterConfigs for topics (every topic config with
 * its value, source and default, as `kafka-topics --describe` and admin read-modify-write need)
 * and for this broker (read-only: broker settings come from server.properties).
 */
export const ResourceType = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 } as const;

/** Kafka's DescribeConfigsResponse.ConfigSource ids (TOPIC_CONFIG is 1, STATIC_BROKER_CONFIG 4, DEFAULT_CONFIG 5). */
export const ConfigSource = { DYNAMIC_TOPIC_CONFIG: 1, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5 } as const;

const CONFIG_TYPE: Record<ConfigType, number> = { boolean: 1, string: 2, int: 3, long: 5, double: 6, list: 7 };

/** One broker setting as DescribeConfigs reports it. */
export interface BrokerConfigEntry {
  name: string;
  value: string | null;
  source: number;
  type: ConfigType;
  doc: string;
}

export interface BrokerConfigView {
  nodeId: number;
  entries(): BrokerConfigEntry[];
  /** The raw value of a broker key set in server.properties (or --override), if any. */
  explicit(name: string): string | undefined;
}

type DescribedConfig = NonNullable<NonNullable<InputOf<DescribeConfigsResponse>['results']>[number]['configs']>[number];
type Synonym = NonNullable<DescribedConfig['synonyms']>[number];

function topicEntries(
  config: TopicConfig,
  overrides: Readonly<Record<string, string>>,
  broker: BrokerConfigView,
  keys: readonly string[] | null,
  withSynonyms: boolean,
  withDocs: boolean,
): DescribedConfig[] {
  const out: DescribedConfig[] = [];
  for (const def of TOPIC_CONFIG.keys.values()) {
    if (keys !== null && !keys.includes(def.name)) continue;
    const name = def.name as keyof TopicConfig;
    const value = formatConfigValue(def.type, config[name] as never);
    const synonyms: Synonym[] = [];
    if (Object.hasOwn(overrides, def.name)) synonyms.push({ name: def.name, value: overrides[def.name], source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
    for (const s of TOPIC_CONFIG_SYNONYMS[name]) {
      const raw = broker.explicit(s.name);
      if (raw !== undefined) synonyms.push({ name: s.name, value: raw, source: ConfigSource.STATIC_BROKER_CONFIG });
    }
    synonyms.push({ name: TOPIC_CONFIG_SYNONYMS[name][0]?.name ?? def.name, value: formatConfigValue(def.type, def.default), source: ConfigSource.DEFAULT_CONFIG });
    const source = synonyms[0].source;
    out.push({
      name: def.name,
      value,
      readOnly: false,
      isDefault: source === ConfigSource.DEFAULT_CONFIG,
      configSource: source,
      isSensitive: false,
      synonyms: withSynonyms ? synonyms : [],
      configType: CONFIG_TYPE[def.type],
      documentation: withDocs ? def.doc : null,
    });
  }
  return out;
}

function brokerEntries(broker: BrokerConfigView, keys: readonly string[] | null, withSynonyms: boolean, withDocs: boolean): DescribedConfig[] {
  return broker
    .entries()
    .filter((e) => keys === null || keys.includes(e.name))
    .map((e) => ({
      name: e.name,
      value: e.value,
      readOnly: true,
      isDefault: e.source === ConfigSource.DEFAULT_CONFIG,
      configSource: e.source,
      isSensitive: false,
      synonyms: withSynonyms ? [{ name: e.name, value: e.value, source: e.source }] : [],
      configType: CONFIG_TYPE[e.type],
      documentation: withDocs ? e.doc : null,
    }));
}

function isThisBroker(name: string, broker: BrokerConfigView): boolean {
  return name === '' || name === String(broker.nodeId);
}

export function handleDescribeConfigs(
  scope: RequestScope,
  topics: TopicsService,
  broker: BrokerConfigView,
  body: DescribeConfigsRequest,
): InputOf<DescribeConfigsResponse> {
  const withSynonyms = scope.apiVersion >= 1 && body.includeSynonyms;
  const withDocs = scope.apiVersion >= 3 && body.includeDocumentation;
  const results = body.resources.map((r) => {
    const base = { resourceType: r.resourceType, resourceName: r.resourceName };
    const fail = (errorCode: number, errorMessage: string): NonNullable<InputOf<DescribeConfigsResponse>['results']>[number] => ({ ...base, errorCode, errorMessage, configs: [] });
    if (r.resourceType === ResourceType.TOPIC) {
      const current = topics.config(r.resourceName);
      if (current === undefined) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${r.resourceName} does not exist`);
      return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs: topicEntries(current.config, current.overrides, broker, r.configurationKeys, withSynonyms, withDocs) };
    }
    if (r.resourceType === ResourceType.BROKER) {
      if (!isThisBroker(r.resourceName, broker)) return fail(ErrorCode.INVALID_REQUEST, `broker ${r.resourceName} is not this broker (${broker.nodeId})`);
      return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs: brokerEntries(broker, r.configurationKeys, withSynonyms, withDocs) };
    }
    return fail(ErrorCode.INVALID_REQUEST, `resource type ${r.resourceType} is not supported (topics: 2, brokers: 4)`);
  });
  return { throttleTimeMs: 0, results };
}

type AlterAnswer = { errorCode: number; errorMessage: string | null; resourceType: number; resourceName: string };

function brokerRefusal(resourceType: number, resourceName: string, broker: BrokerConfigView): AlterAnswer | undefined {
  if (resourceType === ResourceType.TOPIC) return undefined;
  if (resourceType === ResourceType.BROKER && isThisBroker(resourceName, broker)) {
    return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'broker configs are read from server.properties and cannot be changed at runtime', resourceType, resourceName };
  }
  return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `resource type ${resourceType} ${resourceName} cannot be altered`, resourceType, resourceName };
}

async function applyTopicOverrides(
  topics: TopicsService,
  resourceType: number,
  name: string,
  overrides: Record<string, string>,
  validateOnly: boolean,
): Promise<AlterAnswer> {
  const failure = await topics.setConfig(name, overrides, validateOnly);
  return failure === undefined
    ? { errorCode: ErrorCode.NONE, errorMessage: null, resourceType, resourceName: name }
    : { errorCode: failure.errorCode, errorMessage: failure.message, resourceType, resourceName: name };
}

export async function handleAlterConfigs(topics: TopicsService, broker: BrokerConfigView, body: AlterConfigsRequest): Promise<InputOf<AlterConfigsResponse>> {
  const responses: AlterAnswer[] = [];
  for (const r of body.resources) {
    const refused = brokerRefusal(r.resourceType, r.resourceName, broker);
    if (refused !== undefined) {
      responses.push(refused);
      continue;
    }
    const overrides: Record<string, string> = {};
    for (const c of r.configs) if (c.value !== null) overrides[c.name] = c.value;
    responses.push(await applyTopicOverrides(topics, r.resourceType, r.resourceName, overrides, body.validateOnly));
  }
  return { throttleTimeMs: 0, responses };
}

const OP_SET = 0;
const OP_DELETE = 1;
const OP_APPEND = 2;
const OP_SUBTRACT = 3;

function listValue(def: ConfigKeyDef, current: TopicConfig): string[] {
  const value = current[def.name as keyof TopicConfig];
  return Array.isArray(value) ? [...value] : [];
}

export async function handleIncrementalAlterConfigs(
  topics: TopicsService,
  broker: BrokerConfigView,
  body: IncrementalAlterConfigsRequest,
): Promise<InputOf<IncrementalAlterConfigsResponse>> {
  const responses: AlterAnswer[] = [];
  for (const r of body.resources) {
    const refused = brokerRefusal(r.resourceType, r.resourceName, broker);
    if (refused !== undefined) {
      responses.push(refused);
      continue;
    }
    const current = topics.config(r.resourceName);
    if (current === undefined) {
      responses.push({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `topic ${r.resourceName} does not exist`, resourceType: r.resourceType, resourceName: r.resourceName });
      continue;
    }
    const overrides: Record<string, string> = { ...current.overrides };
    let problem: string | undefined;
    for (const c of r.configs) {
      try {
        const def = TOPIC_CONFIG.get(c.name);
        switch (c.configOperation) {
          case OP_SET:
            if (c.value === null) throw new Error(`SET of ${c.name} needs a value`);
            overrides[c.name] = c.value;
            break;
          case OP_DELETE:
            delete overrides[c.name];
            break;
          case OP_APPEND:
          case OP_SUBTRACT: {
            if (def.type !== 'list') throw new Error(`${c.name} is not a list: APPEND and SUBTRACT apply to list configs only`);
            const items = (c.value ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '');
            const base = Object.hasOwn(overrides, c.name) ? overrides[c.name].split(',').map((v) => v.trim()).filter((v) => v !== '') : listValue(def, current.config);
            const next = c.configOperation === OP_APPEND ? [...base, ...items.filter((i) => !base.includes(i))] : base.filter((v) => !items.includes(v));
            overrides[c.name] = next.join(',');
            break;
          }
          default:
            throw new Error(`unknown config operation ${c.configOperation} for ${c.name}`);
        }
      } catch (err) {
        problem = messageOf(err);
        break;
      }
    }
    if (problem !== undefined) {
      responses.push({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: problem, resourceType: r.resourceType, resourceName: r.resourceName });
      continue;
    }
    responses.push(await applyTopicOverrides(topics, r.resourceType, r.resourceName, overrides, body.validateOnly));
  }
  return { throttleTimeMs: 0, responses };
}
