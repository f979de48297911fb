/**
 * The config reference section of connectors/file/README.md, generated from the config
 * definition (generate-docs.ts writes it; a unit test checks that it is up to date).
 */
import { configDocsMarkdown } from '../../runtime/connect/config/index.ts';
import { FILE_SOURCE_CONFIG } from './file-source-config.ts';

export function configReferenceMarkdown(): string {
  return configDocsMarkdown(FILE_SOURCE_CONFIG).trimEnd();
}
