// Regenerates the config reference in connectors/mongodb/README.md from the config definitions:
// `node connectors/mongodb/generate-docs.ts`.
import { readFileSync, writeFileSync } from 'node:fs';
import { withConfigReference } from './config-docs.ts';

const readme = new URL('./README.md', import.meta.url);
const before = readFileSync(readme, 'utf8');
const after = withConfigReference(before);
if (after !== before) writeFileSync(readme, after);
process.stdout.write(after === before ? 'README.md is up to date\n' : 'README.md updated\n');
