/**
 * Start-up advice: combinations of id and write-model strategies that write duplicates (or fail)
 * when Kafka redelivers records after a restart, and what to choose instead.
 */
import type { TopicSettings } from './sink-config.ts';

const DETERMINISTIC_IDS = 'ProvidedInValueStrategy, ProvidedInKeyStrategy, FullKeyStrategy, PartialValueStrategy or KafkaMetaDataStrategy';

export function idempotenceWarnings(settings: TopicSettings): string[] {
  const warnings: string[] = [];
  // CDC events carry their own ids; only keyless relational rows get new ones.
  if (settings.cdcHandler !== null) {
    if (['RdbmsHandler', 'MysqlHandler', 'PostgresHandler'].includes(settings.cdcHandler)) {
      warnings.push(`${settings.cdcHandler}${settings.topic === '' ? '' : ` (topic ${settings.topic})`} gives rows of tables without a primary key a new ObjectId, so their redelivered inserts are written twice. Give such tables a primary key.`);
    }
    return warnings;
  }
  if (settings.timeseries !== null && settings.writeModel === 'InsertOneDefaultStrategy') {
    return [`Time-series collections take inserts only and have no unique _id${settings.topic === '' ? '' : ` (topic ${settings.topic})`}: records redelivered after a restart are inserted again (duplicates). Deduplicate when reading if that matters.`];
  }
  const randomId = settings.idStrategy === 'BsonOidStrategy' || settings.idStrategy === 'UuidStrategy';
  const scope = settings.topic === '' ? '' : ` (topic ${settings.topic})`;
  if (settings.writeModel === 'InsertOneDefaultStrategy') {
    warnings.push(
      randomId
        ? `InsertOneDefaultStrategy with ${settings.idStrategy}${scope} inserts a redelivered record again as a new document (duplicates). Use ReplaceOneDefaultStrategy with ${DETERMINISTIC_IDS}.`
        : `InsertOneDefaultStrategy${scope} fails redelivered records with duplicate key errors (E11000). Use ReplaceOneDefaultStrategy, which upserts.`,
    );
  } else if (randomId && !settings.writeModel.includes('BusinessKey') && !settings.writeModel.startsWith('Delete')) {
    warnings.push(
      `${settings.idStrategy}${scope} gives a redelivered record a new _id unless its value already has one, so redelivery after a restart writes duplicates. Use ${DETERMINISTIC_IDS}.`,
    );
  }
  return warnings;
}
