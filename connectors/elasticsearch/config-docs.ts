/**
 * The config reference section of connectors/elasticsearch/README.md, generated from the config
 * definition (generate-docs.ts writes it; a unit test checks that it is up to date).
 */
import { configDocsMarkdown } from '../../runtime/connect/config/index.ts';
import { ELASTICSEARCH_SINK_CONFIG } from './config.ts';

export function configReferenceMarkdown(): string {
  return configDocsMarkdown(ELASTICSEARCH_SINK_CONFIG).trimEnd();
}
