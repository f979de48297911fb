import { ConfigDefs, atLeast, between } from './config-def.ts';
import { TOPIC_DEFAULT_BROKER_KEYS } from './topic-config.ts';

/**
 * Broker-wide settings of the log manager (Kafka's log.* server keys that are not topic
 * defaults): background job intervals and cleaner resources. The broker keys that only provide
 * topic defaults (log.retention.hours, log.segment.bytes, ...) are listed in
 * TOPIC_DEFAULT_BROKER_KEYS and read by topicDefaultsFromBroker.
 */
export interface LogManagerConfig {
  'log.flush.scheduler.interval.ms': number;
  'log.flush.offset.checkpoint.interval.ms': number;
  'log.flush.start.offset.checkpoint.interval.ms': number;
  'replica.high.watermark.checkpoint.interval.ms': number;
  'log.retention.check.interval.ms': number;
  'log.cleaner.enable': boolean;
  'log.cleaner.backoff.ms': number;
  'log.cleaner.dedupe.buffer.size': number;
  'log.cleaner.io.buffer.size': number;
  'log.cleaner.io.buffer.load.factor': number;
}

const LONG_MAX = 2 ** 63;

export const LOG_MANAGER_CONFIG = new ConfigDefs<LogManagerConfig>('broker log', [
  {
    name: 'log.flush.scheduler.interval.ms', type: 'long', default: LONG_MAX, importance: 'high',
    doc: 'How often the flusher checks every partition against flush.ms. The default never runs it, so flush.ms has no effect unless this is set.',
  },
  {
    name: 'log.flush.offset.checkpoint.interval.ms', type: 'int', default: 60000, importance: 'high', validValues: '[0,...]', validate: atLeast(0),
    doc: 'How often each partition\'s recovery point (the offset below which everything was fsynced) is checkpointed; recovery after a crash rescans from it.',
  },
  {
    name: 'log.flush.start.offset.checkpoint.interval.ms', type: 'int', default: 60000, importance: 'high', validValues: '[0,...]', validate: atLeast(0),
    doc: 'How often log start offsets are checkpointed.',
  },
  {
    name: 'replica.high.watermark.checkpoint.interval.ms', type: 'long', default: 5000, importance: 'high', validValues: '[1,...]', validate: atLeast(1),
    doc: 'How often high watermarks are checkpointed.',
  },
  {
    name: 'log.retention.check.interval.ms', type: 'long', default: 300000, importance: 'medium', validValues: '[1,...]', validate: atLeast(1),
    doc: 'How often segments are checked against retention.ms, retention.bytes and segment.ms.',
  },
  { name: 'log.cleaner.enable', type: 'boolean', default: true, importance: 'medium', doc: 'Run the log cleaner that compacts topics with cleanup.policy=compact.' },
  {
    name: 'log.cleaner.backoff.ms', type: 'long', default: 15000, importance: 'medium', validValues: '[0,...]', validate: atLeast(0),
    doc: 'Pause of the cleaner when no log needs cleaning.',
  },
  {
    name: 'log.cleaner.dedupe.buffer.size', type: 'long', default: 128 * 1024 * 1024, importance: 'medium', validValues: '[1048576,...]', validate: atLeast(1024 * 1024),
    doc: 'Memory of the cleaner\'s key → latest offset map (24 bytes per key); one pass cleans at most as many keys as fit.',
  },
  {
    name: 'log.cleaner.io.buffer.size', type: 'int', default: 512 * 1024, importance: 'medium', validValues: '[0,...]', validate: atLeast(0),
    doc: 'Read and write buffer of the cleaner; it yields to appends after each buffer.',
  },
  {
    name: 'log.cleaner.io.buffer.load.factor', type: 'double', default: 0.9, importance: 'medium', validValues: '[0.1,...,0.95]', validate: between(0.1, 0.95),
    doc: 'Fill ratio of the dedupe map before a pass stops taking new keys.',
  },
]);

/** Every broker key the log layer understands: its own settings and the topic-default synonyms. */
export function isLogBrokerKey(name: string): boolean {
  return LOG_MANAGER_CONFIG.keys.has(name) || TOPIC_DEFAULT_BROKER_KEYS.has(name);
}
