/** RecordIsTombstone: true for records whose value is null. */
import type { ConnectRecord, Predicate } from '../../api/index.ts';
import { ConfigDef } from '../../api/index.ts';
import { ConfiguredPlugin } from '../util/plugin-config.ts';

const CONFIG_DEF = new ConfigDef();

export class RecordIsTombstone<R extends ConnectRecord<R>> extends ConfiguredPlugin<object> implements Predicate<R> {
  static readonly OVERVIEW_DOC = 'A predicate which is true for records which are tombstones (i.e. have null value).';
  readonly className = 'org.apache.kafka.connect.transforms.predicates.RecordIsTombstone';

  constructor() {
    super(CONFIG_DEF);
  }

  configure(configs: Readonly<Record<string, unknown>>): void {
    this.parseConfig(configs);
  }

  test(record: R): boolean {
    return record.value === null;
  }

  close(): void {}

  override toString(): string {
    return 'RecordIsTombstone{}';
  }
}
