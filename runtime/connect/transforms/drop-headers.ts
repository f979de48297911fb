/** DropHeaders: removes every header whose key is listed in `headers`. */
import type { ConnectRecord, Transformation } from '../api/index.ts';
import { ConfigDef } from '../api/index.ts';
import type { ConfigValuesOf } from './util/plugin-config.ts';
import { ConfiguredPlugin, nonEmptyList } from './util/plugin-config.ts';

const CONFIG_DEF = new ConfigDef().define({
  name: 'headers',
  type: 'LIST',
  validator: nonEmptyList,
  importance: 'HIGH',
  documentation: 'The name of the headers to be removed.',
});

export class DropHeaders<R extends ConnectRecord<R>> extends ConfiguredPlugin<ConfigValuesOf<typeof CONFIG_DEF>> implements Transformation<R> {
  static readonly OVERVIEW_DOC = 'Removes one or more headers from each record.';
  readonly className = 'org.apache.kafka.connect.transforms.DropHeaders';
  #headers = new Set<string>();

  constructor() {
    super(CONFIG_DEF);
  }

  configure(configs: Readonly<Record<string, unknown>>): void {
    this.#headers = new Set(this.parseConfig(configs).headers);
  }

  apply(record: R): R {
    return record.newRecord({ headers: record.headers.toArray().filter((h) => !this.#headers.has(h.key)) });
  }

  close(): void {}
}
