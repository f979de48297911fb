/** Filter: drops every record; used with a predicate (`transforms.x.predicate`) to drop some. */
import type { ConnectRecord, Transformation } from '../api/index.ts';
import { ConfigDef } from '../api/index.ts';
import { ConfiguredPlugin } from './util/plugin-config.ts';

const CONFIG_DEF = new ConfigDef();

export class Filter<R extends ConnectRecord<R>> extends ConfiguredPlugin<object> implements Transformation<R> {
  static readonly OVERVIEW_DOC =
    'Drops all records, filtering them from subsequent transformations in the chain. This is intended to be used conditionally to filter out records matching (or not matching) a particular Predicate.';
  readonly className = 'org.apache.kafka.connect.transforms.Filter';

  constructor() {
    super(CONFIG_DEF);
  }

  configure(configs: Readonly<Record<string, unknown>>): void {
    this.parseConfig(configs);
  }

  apply(_record: R): null {
    return null;
  }

  close(): void {}
}
