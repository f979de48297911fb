// Regenerates the config reference in connectors/elasticsearch/README.md from the config
// definition: `node connectors/elasticsearch/generate-docs.ts`.
import { regenerateReadme } from '../../runtime/connect/config/index.ts';
import { configReferenceMarkdown } from './config-docs.ts';

regenerateReadme(new URL('./README.md', import.meta.url), configReferenceMarkdown());
