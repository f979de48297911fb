/**
 * Subject name strategies, configured by Confluent's class names: the subject a key or value
 * schema is registered under. TopicNameStrategy ("<topic>-key" / "<topic>-value") is the default;
 * the record strategies use the schema's fully qualified record name.
 */
import { ConfigError } from '../../../util/errors.ts';

export type SubjectNameStrategy = (topic: string, isKey: boolean, recordName: string | null) => string;

const topicName: SubjectNameStrategy = (topic, isKey) => `${topic}-${isKey ? 'key' : 'value'}`;

function requireRecordName(recordName: string | null, strategy: string): string {
  if (recordName === null || recordName === '') {
    throw new ConfigError(`${strategy} needs a named record schema (a Connect STRUCT with a name), but the schema has no record name`, { code: 'CONVERTER_SUBJECT_NAME' });
  }
  return recordName;
}

const STRATEGIES: Record<string, SubjectNameStrategy> = {
  TopicNameStrategy: topicName,
  RecordNameStrategy: (_topic, _isKey, recordName) => requireRecordName(recordName, 'RecordNameStrategy'),
  TopicRecordNameStrategy: (topic, _isKey, recordName) => `${topic}-${requireRecordName(recordName, 'TopicRecordNameStrategy')}`,
};

export const SUBJECT_NAME_STRATEGY_PACKAGE = 'io.confluent.kafka.serializers.subject.';
export const DEFAULT_SUBJECT_NAME_STRATEGY = `${SUBJECT_NAME_STRATEGY_PACKAGE}TopicNameStrategy`;

/** The strategy for a class name (fully qualified or simple); unknown names are a ConfigError naming the key. */
export function subjectNameStrategy(className: string, configKey: string): SubjectNameStrategy {
  const simple = className.trim().slice(className.trim().lastIndexOf('.') + 1);
  const strategy = STRATEGIES[simple];
  if (strategy === undefined) {
    throw new ConfigError(
      `Invalid value ${className} for configuration ${configKey}: unknown subject name strategy; use one of ${Object.keys(STRATEGIES).map((n) => SUBJECT_NAME_STRATEGY_PACKAGE + n).join(', ')}`,
      { code: 'CONFIG_INVALID', context: { key: configKey, value: className } },
    );
  }
  return strategy;
}
