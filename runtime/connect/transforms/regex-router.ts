/**
 * RegexRouter: renames the topic when the whole topic matches `regex`, replacing the first match
 * with `replacement` (Java syntax: `$1`, `${name}`, `\$`). Other records pass unchanged.
 */
import type { ConnectRecord, Transformation } from '../api/index.ts';
import { ConfigDef } from '../api/index.ts';
import type { JavaReplacement } from './util/java-regex.ts';
import { JavaRegex, RegexSyntaxError } from './util/java-regex.ts';
import type { ConfigValuesOf } from './util/plugin-config.ts';
import { ConfiguredPlugin } from './util/plugin-config.ts';
import { validRegex } from './util/regex-validator.ts';

const CONFIG_DEF = new ConfigDef()
  .define({ name: 'regex', type: 'STRING', validator: validRegex, importance: 'HIGH', documentation: 'Regular expression to use for matching.' })
  .define({ name: 'replacement', type: 'STRING', importance: 'HIGH', documentation: 'Replacement string.' });

export class RegexRouter<R extends ConnectRecord<R>> extends ConfiguredPlugin<ConfigValuesOf<typeof CONFIG_DEF>> implements Transformation<R> {
  static readonly OVERVIEW_DOC =
    'Update the record topic using the configured regular expression and replacement string. If the pattern matches the input topic, the first match is replaced with the replacement string (Java syntax) to obtain the new topic.';
  readonly className = 'org.apache.kafka.connect.transforms.RegexRouter';
  #regex: JavaRegex | null = null;
  #replacement: JavaReplacement | null = null;

  constructor() {
    super(CONFIG_DEF);
  }

  configure(configs: Readonly<Record<string, unknown>>): void {
    const c = this.parseConfig(configs);
    this.#regex = JavaRegex.compile(c.regex);
    try {
      this.#replacement = this.#regex.replacement(c.replacement);
    } catch (err) {
      if (!(err instanceof RegexSyntaxError)) throw err;
      throw this.invalid('replacement', c.replacement, `${err.message} (regex "${c.regex}" has ${this.#regex.groupCount} group(s))`);
    }
  }

  apply(record: R): R {
    if (!this.#regex!.matches(record.topic)) return record;
    return record.newRecord({ topic: this.#replacement!.replaceFirst(record.topic) });
  }

  close(): void {}
}
