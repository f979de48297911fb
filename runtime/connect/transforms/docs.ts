/**
 * Generated reference of the registered SMTs and predicates (as Kafka's connect docs list them):
 * per plugin its class name, overview and config table, all from the one ConfigDef each defines.
 */
import { configDocsMarkdown } from '../config/index.ts';
import type { TransformRegistry } from './registry.ts';

export function transformsDocsMarkdown(registry: TransformRegistry): string {
  const section = (className: string, doc: string | undefined, table: string) => {
    const keys = table.includes('|') ? table : '_No configuration._\n';
    return [`### ${className}`, '', ...(doc === undefined ? [] : [doc, '']), keys].join('\n');
  };
  const out = ['## Transformations', ''];
  for (const plugin of registry.transformations()) out.push(section(plugin.className, plugin.doc, configDocsMarkdown(plugin.create().config())));
  out.push('## Predicates', '');
  for (const plugin of registry.predicates()) out.push(section(plugin.className, plugin.doc, configDocsMarkdown(plugin.create().config())));
  return out.join('\n');
}
