/**
 * Config of Kafka's FileStream example connectors (org.apache.kafka.connect.file), with the same
 * keys and defaults: the source reads `file` (stdin when absent) into `topic`, `batch.size`
 * lines per poll at most; the sink appends to `file` (stdout when absent).
 */
import { ConfigDef, validators } from '../../runtime/connect/config/index.ts';

export const FILE_CONFIG = 'file';
export const TOPIC_CONFIG = 'topic';
export const BATCH_SIZE_CONFIG = 'batch.size';
export const DEFAULT_BATCH_SIZE = 2000;

/** Reported as the connectors' version: they follow Kafka Connect 4.x behaviour. */
export const FILE_STREAM_VERSION = '4.3.1-sluice';

/** Source partition key and offset key, as Kafka names them (`{filename}` → `{position}`). */
export const FILENAME_FIELD = 'filename';
export const POSITION_FIELD = 'position';

const singleTopic = validators.custom('a single topic name', (value) =>
  typeof value === 'string' && value.includes(',') ? `'${TOPIC_CONFIG}' in FileStreamSourceConnector configuration requires definition of a single topic` : undefined,
);

export const SOURCE_CONFIG = new ConfigDef()
  .define({
    name: FILE_CONFIG,
    type: 'STRING',
    default: null,
    importance: 'HIGH',
    documentation: 'Source filename. If not specified, the standard input will be used',
  })
  .define({
    name: TOPIC_CONFIG,
    type: 'STRING',
    validator: validators.all(validators.nonEmptyString(), singleTopic),
    importance: 'HIGH',
    documentation: 'The topic to publish data to',
  })
  .define({
    name: BATCH_SIZE_CONFIG,
    type: 'INT',
    default: DEFAULT_BATCH_SIZE,
    validator: validators.atLeast(1),
    importance: 'LOW',
    documentation: 'The maximum number of records the source task can read from the file each time it is polled',
  });

export const SINK_CONFIG = new ConfigDef().define({
  name: FILE_CONFIG,
  type: 'STRING',
  default: null,
  importance: 'HIGH',
  documentation: 'Destination filename. If not specified, the standard output will be used',
});

/** A file name, or null for stdin/stdout (an empty value counts as absent, as in Kafka). */
export function fileNameOf(value: string | null | undefined): string | null {
  return value === null || value === undefined || value.trim() === '' ? null : value;
}
