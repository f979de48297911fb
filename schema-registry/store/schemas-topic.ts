/**
 * The `_schemas` topic (kafkastore.topic): created on first start with one partition and
 * cleanup.policy=compact, and checked on every start, as Confluent does — more partitions would
 * break ordering, and delete retention would lose schemas after a week.
 */
import type { KafkaAdmin } from '../../runtime/client/index.ts';
import { ConfigError, hasCode } from '../../runtime/util/errors.ts';

/** A topic just created may take a moment to appear in the brokers' metadata. */
async function describeWhenVisible(admin: KafkaAdmin, topic: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
    try {
      const [description] = await admin.describeTopics([topic]);
      return description;
    } catch (err) {
      if (!hasCode(err, 'UNKNOWN_TOPIC_OR_PARTITION') || Date.now() + wait > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

export async function ensureSchemasTopic(admin: KafkaAdmin, topic: string, replicationFactor: number | undefined): Promise<void> {
  const existing = await admin.listTopics({ includeInternal: true });
  if (!existing.includes(topic)) {
    await admin.createTopics([{ name: topic, partitions: 1, replicationFactor, configs: { 'cleanup.policy': 'compact' } }], { ifNotExists: true });
  }
  const description = await describeWhenVisible(admin, topic);
  if (description.partitions.length !== 1) {
    throw new ConfigError(`The schema topic ${topic} should have only 1 partition but has ${description.partitions.length}`, {
      code: 'SCHEMAS_TOPIC_INVALID',
      context: { key: 'kafkastore.topic', topic, partitions: description.partitions.length },
    });
  }
  const policy = (await admin.describeTopicConfigs(topic)).find((c) => c.name === 'cleanup.policy')?.value ?? 'delete';
  if (!policy.split(',').map((p) => p.trim()).includes('compact')) {
    throw new ConfigError(
      `The retention policy of the schema topic ${topic} is incorrect (cleanup.policy=${policy}). You must configure the topic to 'compact' cleanup policy to avoid Kafka deleting your schemas after a week.`,
      { code: 'SCHEMAS_TOPIC_INVALID', context: { key: 'kafkastore.topic', topic, 'cleanup.policy': policy } },
    );
  }
}
