/**
 * TimestampRouter: sets the topic from `topic.format`, where `${topic}` is the topic and
 * `${timestamp}` the record timestamp in `timestamp.format` (SimpleDateFormat, UTC), e.g. daily
 * indices `logs-20240131`. A record without a timestamp is an error.
 */
import type { ConnectRecord, Transformation } from '../api/index.ts';
import { ConfigDef, DataException } from '../api/index.ts';
import { ConfigError } from '../../util/errors.ts';
import type { ConfigValuesOf } from './util/plugin-config.ts';
import { ConfiguredPlugin } from './util/plugin-config.ts';
import { SimpleDateFormat } from './util/simple-date-format.ts';

const CONFIG_DEF = new ConfigDef()
  .define({
    name: 'topic.format',
    type: 'STRING',
    default: '${topic}-${timestamp}',
    importance: 'HIGH',
    documentation: 'Format string which can contain <code>${topic}</code> and <code>${timestamp}</code> as placeholders for the topic and timestamp, respectively.',
  })
  .define({
    name: 'timestamp.format',
    type: 'STRING',
    default: 'yyyyMMdd',
    importance: 'HIGH',
    documentation: 'Format string for the timestamp that is compatible with <code>java.text.SimpleDateFormat</code>.',
  });

export class TimestampRouter<R extends ConnectRecord<R>> extends ConfiguredPlugin<ConfigValuesOf<typeof CONFIG_DEF>> implements Transformation<R> {
  static readonly OVERVIEW_DOC =
    "Update the record's topic field as a function of the original topic value and the record timestamp. This is mainly useful for sink connectors, since the topic field is often used to determine the equivalent entity name in the destination system(e.g. database table or search index name).";
  readonly className = 'org.apache.kafka.connect.transforms.TimestampRouter';
  #topicFormat = '';
  #timestampFormat: SimpleDateFormat | null = null;

  constructor() {
    super(CONFIG_DEF);
  }

  configure(configs: Readonly<Record<string, unknown>>): void {
    const c = this.parseConfig(configs);
    this.#topicFormat = c['topic.format'];
    try {
      this.#timestampFormat = new SimpleDateFormat(c['timestamp.format']);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      // Kafka only fails on the first record; a bad pattern is a configuration error.
      throw this.invalid('timestamp.format', c['timestamp.format'], err.message);
    }
  }

  apply(record: R): R {
    if (record.timestamp === null) throw new DataException(`Timestamp missing on record: ${record}`);
    const timestamp = this.#timestampFormat!.format(new Date(record.timestamp));
    // Replacer functions: the inserted text is literal (no `$` patterns), as Kafka's quoteReplacement.
    const topic = this.#topicFormat.replaceAll('${topic}', () => record.topic).replaceAll('${timestamp}', () => timestamp);
    return record.newRecord({ topic });
  }

  close(): void {}
}
