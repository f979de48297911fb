/** TopicNameMatches: true for records whose whole topic name matches `pattern` (a Java regex). */
import type { ConnectRecord, Predicate } from '../../api/index.ts';
import { ConfigDef } from '../../api/index.ts';
import { validators } from '../../config/index.ts';
import { JavaRegex } from '../util/java-regex.ts';
import type { ConfigValuesOf } from '../util/plugin-config.ts';
import { ConfiguredPlugin, nonEmptyString } from '../util/plugin-config.ts';
import { validRegex } from '../util/regex-validator.ts';

const CONFIG_DEF = new ConfigDef().define({
  name: 'pattern',
  type: 'STRING',
  validator: validators.all(nonEmptyString, validRegex),
  importance: 'MEDIUM',
  documentation: "A Java regular expression for matching against the name of a record's topic.",
});

export class TopicNameMatches<R extends ConnectRecord<R>> extends ConfiguredPlugin<ConfigValuesOf<typeof CONFIG_DEF>> implements Predicate<R> {
  static readonly OVERVIEW_DOC = 'A predicate which is true for records with a topic name that matches the configured regular expression.';
  readonly className = 'org.apache.kafka.connect.transforms.predicates.TopicNameMatches';
  #pattern: JavaRegex | null = null;

  constructor() {
    super(CONFIG_DEF);
  }

  configure(configs: Readonly<Record<string, unknown>>): void {
    this.#pattern = JavaRegex.compile(this.parseConfig(configs).pattern);
  }

  test(record: R): boolean {
    return this.#pattern!.matches(record.topic);
  }

  close(): void {}

  override toString(): string {
    return `TopicNameMatches{pattern=${this.#pattern?.pattern ?? null}}`;
  }
}
