/** HasHeaderKey: true for records with at least one header named `name`. */
import type { ConnectRecord, Predicate } from '../../api/index.ts';
import { ConfigDef } from '../../api/index.ts';
import type { ConfigValuesOf } from '../util/plugin-config.ts';
import { ConfiguredPlugin, nonEmptyString } from '../util/plugin-config.ts';

const CONFIG_DEF = new ConfigDef().define({ name: 'name', type: 'STRING', validator: nonEmptyString, importance: 'MEDIUM', documentation: 'The header name.' });

export class HasHeaderKey<R extends ConnectRecord<R>> extends ConfiguredPlugin<ConfigValuesOf<typeof CONFIG_DEF>> implements Predicate<R> {
  static readonly OVERVIEW_DOC = 'A predicate which is true for records with at least one header with the configured name.';
  readonly className = 'org.apache.kafka.connect.transforms.predicates.HasHeaderKey';
  #name = '';

  constructor() {
    super(CONFIG_DEF);
  }

  configure(configs: Readonly<Record<string, unknown>>): void {
    this.#name = this.parseConfig(configs).name;
  }

  test(record: R): boolean {
    return record.headers.lastWithName(this.#name) !== null;
  }

  close(): void {}

  override toString(): string {
    return `HasHeaderKey{name='${this.#name}'}`;
  }
}
