import { Admin, ConfigResourceTypes, ConfigSources, FindCoordinatorKeyTypes, IncrementalAlterConfigOperationTypes, ListOffsetTimestamps, ProtocolError, kGetApi, kGetBootstrapConnection } from '@platformatic/kafka';
import type { metadataV12 } from '@platformatic/kafka';
import type { Logger } from '../observability/logger.ts';
import { baseOptions } from './base-options.ts';
import { adminSettings } from './config.ts';
import type { AdminSettings, ClientConfig } from './config.ts';
import { BrokerError, KafkaClientError, wrapKafkaError } from './errors.ts';
import { topicPartitionKey } from './types.ts';
import type { TopicPartition, TopicPartitionOffset } from './types.ts';

type MetadataResponse = metadataV12.MetadataResponse;

export interface NewTopic {
  name: string;
  /** Broker default (num.partitions) when absent. */
  partitions?: number;
  /** Broker default (default.replication.factor) when absent. */
  replicationFactor?: number;
  configs?: Readonly<Record<string, string>>;
}

export interface PartitionDescription {
  partition: number;
  /** -1 when the partition has no leader. */
  leader: number;
  replicas: number[];
  isr: number[];
}

export interface TopicDescription {
  name: string;
  id: string;
  internal: boolean;
  partitions: PartitionDescription[];
}

export type ConfigSourceName =
  | 'UNKNOWN'
  | 'DYNAMIC_TOPIC_CONFIG'
  | 'DYNAMIC_BROKER_CONFIG'
  | 'DYNAMIC_DEFAULT_BROKER_CONFIG'
  | 'STATIC_BROKER_CONFIG'
  | 'DEFAULT_CONFIG'
  | 'DYNAMIC_BROKER_LOGGER_CONFIG'
  | 'CLIENT_METRICS_CONFIG'
  | 'GROUP_CONFIG';

export interface ConfigEntry {
  name: string;
  value: string | null;
  source: ConfigSourceName;
  readOnly: boolean;
  sensitive: boolean;
}

export interface GroupListing {
  groupId: string;
  /** Kafka's state names: Stable, Empty, PreparingRebalance, CompletingRebalance, Dead, ... */
  state: string;
  protocolType: string;
}

export interface GroupMemberDescription {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  host: string;
  assignment: TopicPartition[];
}

export interface GroupDescription {
  groupId: string;
  state: string;
  protocolType: string;
  /** The assignment strategy the group chose (range, roundrobin, ...), '' when none. */
  protocol: string;
  members: GroupMemberDescription[];
}

export interface Coordinator {
  nodeId: number;
  host: string;
  port: number;
}

/** Where to look an offset up: the log start, the log end, or the first offset at or after a timestamp (ms). */
export type OffsetSpec = 'earliest' | 'latest' | { timestamp: number | bigint };

export interface KafkaAdminOptions {
  logger?: Logger;
}

const SOURCE_NAMES = new Map<number, ConfigSourceName>(
  (Object.entries(ConfigSources) as Array<[string, number]>).filter(([name]) => name !== 'TOPIC_CONFIG').map(([name, code]) => [code, name as ConfigSourceName]),
);

/**
 * Topic, partition, offset and consumer group administration, as the worker, the registry and
 * the `sluice` tools need it, with Kafka error names as error codes.
 */
export class KafkaAdmin {
  readonly settings: AdminSettings;
  private readonly client: Admin;

  constructor(config: ClientConfig, options: KafkaAdminOptions = {}) {
    const { settings, warnings } = adminSettings(config);
    this.settings = settings;
    for (const warning of warnings) options.logger?.warn(`admin config: ${warning}`);
    this.client = new Admin(baseOptions(settings));
  }

  /**
   * Creates topics; with `ifNotExists` an existing topic is left as it is. Resolves with the
   * names actually created.
   */
  async createTopics(topics: readonly NewTopic[], options: { ifNotExists?: boolean } = {}): Promise<string[]> {
    const created: string[] = [];
    // One request per topic: configs are per request in platformatic, and one existing topic must not fail the others.
    for (const topic of topics) {
      try {
        await this.client.createTopics({
          topics: [{ topic: topic.name, partitions: topic.partitions ?? -1, replicas: topic.replicationFactor ?? -1 }],
          configs: Object.entries(topic.configs ?? {}).map(([name, value]) => ({ name, value })),
        });
        created.push(topic.name);
      } catch (err) {
        const wrapped = wrapKafkaError(err, `creating topic ${topic.name}`, { topic: topic.name });
        if (wrapped.code === 'TOPIC_ALREADY_EXISTS' && options.ifNotExists) continue;
        throw wrapped;
      }
    }
    return created;
  }

  async deleteTopics(names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    await this.call(`deleting topics ${names.join(', ')}`, { topics: names }, () => this.client.deleteTopics({ topics: [...names] }));
  }

  async listTopics(options: { includeInternal?: boolean } = {}): Promise<string[]> {
    const topics = await this.call('listing topics', {}, () => this.client.listTopics({ includeInternals: options.includeInternal ?? false }));
    return [...topics].sort();
  }

  /**
   * Partitions, leaders and replicas, internal topics included; a missing topic fails with
   * UNKNOWN_TOPIC_OR_PARTITION. Asks the broker directly: platformatic's metadata cache leaves
   * internal topics out.
   */
  async describeTopics(names: readonly string[]): Promise<TopicDescription[]> {
    if (names.length === 0) return [];
    const what = `describing topics ${names.join(', ')}`;
    let response: MetadataResponse;
    try {
      response = await this.metadataRequest([...names]);
    } catch (err) {
      // Per-topic errors fail the call; the response still describes the other topics.
      const partial = (err as { response?: MetadataResponse } | null)?.response;
      if (partial?.topics === undefined) throw wrapKafkaError(err, what, { topics: names });
      response = partial;
    }
    return names.map((name) => {
      const topic = response.topics.find((t) => t.name === name);
      if (topic === undefined || topic.errorCode === 3) {
        throw new BrokerError('UNKNOWN_TOPIC_OR_PARTITION', 3, `topic '${name}' does not exist`, { context: { topic: name } });
      }
      if (topic.errorCode !== 0) {
        throw wrapKafkaError(new ProtocolError(topic.errorCode), `describing topic ${name}`, { topic: name });
      }
      return {
        name,
        id: topic.topicId,
        internal: topic.isInternal,
        partitions: [...topic.partitions]
          .sort((a, b) => a.partitionIndex - b.partitionIndex)
          .map((p) => ({ partition: p.partitionIndex, leader: p.leaderId, replicas: [...p.replicaNodes], isr: [...p.isrNodes] })),
      };
    });
  }

  private metadataRequest(topics: string[]): Promise<MetadataResponse> {
    return new Promise((resolve, reject) => {
      this.client[kGetBootstrapConnection]((connectionError, connection) => {
        if (connectionError) {
          reject(connectionError);
          return;
        }
        this.client[kGetApi]<[string[], boolean, boolean], MetadataResponse>('Metadata', (apiError, api) => {
          if (apiError || api === undefined) {
            reject(apiError ?? new KafkaClientError('KAFKA_UNSUPPORTED', 'the broker offers no Metadata API version this client speaks'));
            return;
          }
          api(connection!, topics, false, false, (error, response) => (error ? reject(error) : resolve(response!)));
        });
      });
    });
  }

  /** Every config of a topic with its value and where the value comes from. */
  async describeTopicConfigs(name: string): Promise<ConfigEntry[]> {
    const [resource] = await this.call(`describing the configs of topic ${name}`, { topic: name }, () =>
      this.client.describeConfigs({ resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: name }] }),
    );
    return (resource?.configs ?? []).map((c) => ({
      name: c.name,
      value: c.value ?? null,
      source: SOURCE_NAMES.get(c.configSource) ?? 'UNKNOWN',
      readOnly: c.readOnly,
      sensitive: c.isSensitive,
    }));
  }

  /** Sets and removes topic-level overrides (IncrementalAlterConfigs), leaving other overrides alone. */
  async alterTopicConfigs(name: string, set: Readonly<Record<string, string>>, remove: readonly string[] = []): Promise<void> {
    const configs = [
      ...Object.entries(set).map(([key, value]) => ({ name: key, configOperation: IncrementalAlterConfigOperationTypes.SET, value })),
      ...remove.map((key) => ({ name: key, configOperation: IncrementalAlterConfigOperationTypes.DELETE })),
    ];
    if (configs.length === 0) return;
    await this.call(`altering the configs of topic ${name}`, { topic: name }, () =>
      this.client.incrementalAlterConfigs({ resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: name, configs }] }),
    );
  }

  /** Grows a topic to `totalCount` partitions. */
  async createPartitions(name: string, totalCount: number): Promise<void> {
    await this.call(`adding partitions to topic ${name}`, { topic: name }, () =>
      this.client.createPartitions({ topics: [{ name, count: totalCount }] }),
    );
  }

  /** Offsets per "topic-partition" key for the spec; a timestamp past the last record gives the log end offset, as Kafka's tools show it. */
  async listOffsets(partitions: readonly TopicPartition[], spec: OffsetSpec): Promise<Map<string, bigint>> {
    const result = new Map<string, bigint>();
    if (partitions.length === 0) return result;
    const timestamp = spec === 'earliest' ? ListOffsetTimestamps.EARLIEST : spec === 'latest' ? ListOffsetTimestamps.LATEST : BigInt(spec.timestamp);
    const topics = new Map<string, number[]>();
    for (const { topic, partition } of partitions) topics.set(topic, [...(topics.get(topic) ?? []), partition]);
    const listed = await this.call(`listing offsets of ${[...topics.keys()].join(', ')}`, {}, () =>
      this.client.listOffsets({ topics: [...topics].map(([name, list]) => ({ name, partitions: list.map((partitionIndex) => ({ partitionIndex, timestamp })) })) }),
    );
    const needEnd: TopicPartition[] = [];
    for (const topic of listed) {
      for (const p of topic.partitions) {
        if (p.offset >= 0n) result.set(topicPartitionKey(topic.name, p.partitionIndex), p.offset);
        else needEnd.push({ topic: topic.name, partition: p.partitionIndex });
      }
    }
    if (needEnd.length > 0 && typeof spec === 'object') for (const [key, offset] of await this.listOffsets(needEnd, 'latest')) result.set(key, offset);
    return result;
  }

  async listGroups(): Promise<GroupListing[]> {
    const groups = await this.call('listing consumer groups', {}, () => this.client.listGroups());
    return [...groups.values()].map((g) => ({ groupId: g.id, state: g.state, protocolType: g.protocolType })).sort((a, b) => (a.groupId < b.groupId ? -1 : 1));
  }

  /** Group state, strategy and members with their assignments. An unknown group is described with state Dead, as Kafka does. */
  async describeGroups(groupIds: readonly string[]): Promise<GroupDescription[]> {
    if (groupIds.length === 0) return [];
    const groups = await this.call(`describing consumer groups ${groupIds.join(', ')}`, { groups: groupIds }, () => this.client.describeGroups({ groups: [...groupIds] }));
    return groupIds.map((groupId) => {
      const group = groups.get(groupId);
      if (group === undefined) return { groupId, state: 'Dead', protocolType: '', protocol: '', members: [] };
      return {
        groupId,
        state: group.state,
        protocolType: group.protocolType,
        protocol: group.protocol,
        members: [...group.members.values()].map((m) => ({
          memberId: m.id,
          groupInstanceId: m.groupInstanceId ?? null,
          clientId: m.clientId,
          host: m.clientHost,
          assignment: [...(m.assignments?.values() ?? [])].flatMap((a) => a.partitions.map((partition) => ({ topic: a.topic, partition }))),
        })),
      };
    });
  }

  async findGroupCoordinator(groupId: string): Promise<Coordinator> {
    const [found] = await this.call(`finding the coordinator of group ${groupId}`, { group: groupId }, () =>
      this.client.findCoordinator({ keyType: FindCoordinatorKeyTypes.GROUP, keys: [groupId] }),
    );
    if (found === undefined) throw new KafkaClientError('COORDINATOR_NOT_AVAILABLE', `no coordinator found for group ${groupId}`, { retriable: true, context: { group: groupId } });
    return { nodeId: found.nodeId, host: found.host, port: found.port };
  }

  /** Deletes empty groups; resolves with the error of each group that could not be deleted. */
  async deleteGroups(groupIds: readonly string[]): Promise<Map<string, Error>> {
    const failures = new Map<string, Error>();
    for (const groupId of groupIds) {
      try {
        await this.client.deleteGroups({ groups: [groupId] });
      } catch (err) {
        failures.set(groupId, wrapKafkaError(err, `deleting consumer group ${groupId}`, { group: groupId }));
      }
    }
    return failures;
  }

  /** The group's committed offsets (next offset to read), for every partition it committed. */
  async listGroupOffsets(groupId: string): Promise<TopicPartitionOffset[]> {
    const [group] = await this.call(`reading the offsets of group ${groupId}`, { group: groupId }, () => this.client.listConsumerGroupOffsets({ groups: [groupId] }));
    return (group?.topics ?? [])
      .flatMap((t) => t.partitions.filter((p) => p.committedOffset >= 0n).map((p) => ({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset })))
      .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  }

  /** Commits offsets for a group that has no active members (Kafka refuses it otherwise). */
  async alterGroupOffsets(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    const topics = new Map<string, Array<{ partition: number; offset: bigint }>>();
    for (const { topic, partition, offset } of offsets) topics.set(topic, [...(topics.get(topic) ?? []), { partition, offset }]);
    await this.call(`altering the offsets of group ${groupId}`, { group: groupId }, () =>
      this.client.alterConsumerGroupOffsets({ groupId, topics: [...topics].map(([name, partitionOffsets]) => ({ name, partitionOffsets })) }),
    );
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private async call<T>(what: string, context: Record<string, unknown>, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (err) {
      throw wrapKafkaError(err, what, context);
    }
  }
}
