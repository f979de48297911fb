// Regenerates the config reference in connectors/mongodb/README.md from the config definitions:
// `node connectors/mongodb/generate-docs.ts`.
import { regenerateReadme } from '../../runtime/connect/config/index.ts';
import { configReferenceMarkdown } from './config-docs.ts';

regenerateReadme(new URL('./README.md', import.meta.url), configReferenceMarkdown());
