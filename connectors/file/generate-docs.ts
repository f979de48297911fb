// Regenerates the config reference in connectors/file/README.md from the config definition:
// `node connectors/file/generate-docs.ts`.
import { regenerateReadme } from '../../runtime/connect/config/index.ts';
import { configReferenceMarkdown } from './config-docs.ts';

regenerateReadme(new URL('./README.md', import.meta.url), configReferenceMarkdown());
