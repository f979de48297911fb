/**
 * The config reference sections of connectors/mongodb/README.md, generated from the sink and
 * source config definitions (generate-docs.ts writes them; a unit test checks they are current).
 */
import { configDocsMarkdown } from '../../runtime/connect/config/index.ts';
import { MONGODB_SINK_CONFIG } from './sink-config.ts';
import { MONGODB_SOURCE_CONFIG } from './source-config.ts';

export function configReferenceMarkdown(): string {
  return `### Sink\n\n${configDocsMarkdown(MONGODB_SINK_CONFIG).trimEnd()}\n\n### Source\n\n${configDocsMarkdown(MONGODB_SOURCE_CONFIG).trimEnd()}`;
}
