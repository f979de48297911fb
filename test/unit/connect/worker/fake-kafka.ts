/**
 * An in-memory stand-in for the Kafka clients the worker uses, for unit tests of task loops and
 * the herder: one partition per topic, acknowledgements on demand or at once, a consumer group
 * per group.id whose committed offsets tests can read.
 */
import type { KafkaAdmin, ProducerRecord, RecordMetadata } from '../../../../runtime/client/index.ts';
import type { ConsumerRecord, RebalanceListener, TopicPartition, TopicPartitionOffset } from '../../../../runtime/client/index.ts';
import { KafkaConnectionError } from '../../../../runtime/client/index.ts';
import type { ClientFactory } from '../../../../runtime/connect/worker/worker.ts';
import type { RecordConsumer } from '../../../../runtime/connect/worker/worker-sink-task.ts';
import type { RecordProducer } from '../../../../runtime/connect/worker/worker-source-task.ts';

export interface StoredRecord {
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: ReadonlyArray<readonly [string, Uint8Array | null]>;
  timestamp: number;
}

export class FakeKafka {
  readonly topics = new Map<string, StoredRecord[]>();
  readonly groups = new Map<string, Map<string, bigint>>();
  readonly createdTopics: Array<{ name: string; replicationFactor?: number }> = [];
  /** When set, sends wait until release() (to test unacknowledged records). */
  holdAcks = false;
  /** When set, sends to these topics fail. */
  failTopics = new Set<string>();
  /** Subscribes and polls that fail as if the cluster could not be reached, before they work again. */
  failSubscribes = 0;
  failPolls = 0;
  #held: Array<() => void> = [];

  records(topic: string): StoredRecord[] {
    return this.topics.get(topic) ?? [];
  }

  values(topic: string): string[] {
    return this.records(topic).map((r) => (r.value === null ? 'null' : Buffer.from(r.value).toString('utf8')));
  }

  append(topic: string, record: StoredRecord): number {
    let log = this.topics.get(topic);
    if (log === undefined) {
      log = [];
      this.topics.set(topic, log);
    }
    log.push(record);
    return log.length - 1;
  }

  /** Acknowledges every held send. */
  release(): void {
    const held = this.#held;
    this.#held = [];
    for (const ack of held) ack();
  }

  committed(group: string, topic: string): bigint | undefined {
    return this.groups.get(group)?.get(`${topic}-0`);
  }

  producer(): RecordProducer {
    const sends: Array<Promise<unknown>> = [];
    return {
      send: (record: ProducerRecord): Promise<RecordMetadata> => {
        const p = new Promise<RecordMetadata>((resolve, reject) => {
          const ack = (): void => {
            if (this.failTopics.has(record.topic)) {
              reject(new Error(`send to ${record.topic} failed`));
              return;
            }
            const offset = this.append(record.topic, {
              key: record.key ?? null,
              value: record.value,
              headers: record.headers ?? [],
              timestamp: Number(record.timestamp ?? 0),
            });
            resolve({ topic: record.topic, partition: 0, offset: BigInt(offset), timestamp: BigInt(record.timestamp ?? 0) });
          };
          if (this.holdAcks) this.#held.push(ack);
          else queueMicrotask(ack);
        });
        sends.push(p.catch(() => undefined));
        return p;
      },
      flush: async () => {
        await Promise.all(sends);
      },
      close: async () => undefined,
    };
  }

  consumer(groupId: string): RecordConsumer {
    const positions = new Map<string, bigint>();
    let topics: string[] = [];
    let listener: RebalanceListener | undefined;
    let assigned: TopicPartition[] = [];
    const paused = new Set<string>();
    let woken = false;
    let needsAssign = false;
    const group = (): Map<string, bigint> => {
      let offsets = this.groups.get(groupId);
      if (offsets === undefined) {
        offsets = new Map();
        this.groups.set(groupId, offsets);
      }
      return offsets;
    };
    return {
      subscribe: async (wanted, l) => {
        if (this.failSubscribes > 0) {
          this.failSubscribes--;
          throw new KafkaConnectionError('KAFKA_NETWORK', 'cannot reach the broker (fake)');
        }
        topics = wanted instanceof RegExp ? [...this.topics.keys()].filter((t) => wanted.test(t)) : [...wanted];
        listener = l;
        needsAssign = true;
      },
      poll: async (timeoutMs) => {
        if (this.failPolls > 0 && assigned.length > 0) {
          this.failPolls--;
          throw new KafkaConnectionError('KAFKA_NETWORK', 'the group membership failed (fake)');
        }
        if (needsAssign) {
          needsAssign = false;
          assigned = topics.map((topic) => ({ topic, partition: 0 }));
          for (const { topic } of assigned) positions.set(topic, group().get(`${topic}-0`) ?? 0n);
          await listener?.onPartitionsAssigned?.(assigned);
        }
        const out: ConsumerRecord[] = [];
        for (const { topic } of assigned) {
          if (paused.has(topic)) continue;
          const log = this.records(topic);
          let position = positions.get(topic) ?? 0n;
          while (Number(position) < log.length && out.length < 500) {
            const r = log[Number(position)];
            out.push({
              topic,
              partition: 0,
              offset: position,
              timestamp: BigInt(r.timestamp),
              timestampType: 'CreateTime',
              key: r.key === null ? null : Buffer.from(r.key),
              value: r.value === null ? null : Buffer.from(r.value),
              headers: r.headers.map(([k, v]) => [k, v === null ? null : Buffer.from(v)] as const),
              leaderEpoch: 0,
            });
            position++;
          }
          positions.set(topic, position);
        }
        if (out.length === 0 && !woken) await new Promise((resolve) => setTimeout(resolve, Math.min(timeoutMs, 10)));
        woken = false;
        return out;
      },
      commit: async (offsets?: readonly TopicPartitionOffset[]) => {
        for (const { topic, partition, offset } of offsets ?? []) group().set(`${topic}-${partition}`, offset);
      },
      pause: (partitions) => partitions.forEach((p) => paused.add(p.topic)),
      resume: (partitions) => partitions.forEach((p) => paused.delete(p.topic)),
      assignment: () => [...assigned],
      position: (topic) => positions.get(topic),
      seek: (topic, _partition, offset) => positions.set(topic, offset),
      wakeup: () => {
        woken = true;
      },
      close: async () => {
        if (assigned.length > 0) await listener?.onPartitionsRevoked?.(assigned);
        assigned = [];
      },
    };
  }

  admin(): KafkaAdmin {
    const fake = {
      createTopics: async (topics: Array<{ name: string; replicationFactor?: number }>) => {
        for (const t of topics) {
          this.createdTopics.push(t);
          if (!this.topics.has(t.name)) this.topics.set(t.name, []);
        }
        return topics.map((t) => t.name);
      },
      listGroupOffsets: async (groupId: string) =>
        [...(this.groups.get(groupId) ?? new Map<string, bigint>())].map(([key, offset]) => ({ topic: key.slice(0, key.lastIndexOf('-')), partition: 0, offset })),
      alterGroupOffsets: async (groupId: string, offsets: TopicPartitionOffset[]) => {
        const group = this.groups.get(groupId) ?? new Map<string, bigint>();
        this.groups.set(groupId, group);
        for (const o of offsets) group.set(`${o.topic}-${o.partition}`, o.offset);
      },
      deleteGroups: async (ids: string[]) => {
        for (const id of ids) this.groups.delete(id);
        return new Map();
      },
      close: async () => undefined,
    };
    return fake as unknown as KafkaAdmin;
  }

  clients(): ClientFactory {
    return {
      producer: () => this.producer(),
      consumer: (config) => this.consumer(String(config['group.id'])),
      admin: () => this.admin(),
    };
  }
}

/** Resolves once `check` holds, polling every few ms; fails after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
