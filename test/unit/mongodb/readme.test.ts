import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configReferenceMarkdown } from '../../../connectors/mongodb/config-docs.ts';
import { withConfigReference } from '../../../runtime/connect/config/index.ts';

describe('connectors/mongodb/README.md', () => {
  it('has the config reference generated from the current definitions (node connectors/mongodb/generate-docs.ts)', () => {
    const readme = readFileSync(new URL('../../../connectors/mongodb/README.md', import.meta.url), 'utf8');
    expect(withConfigReference(readme, configReferenceMarkdown())).toBe(readme);
    expect(readme).toContain('document.id.strategy.overwrite.existing');
    expect(readme).toContain('resume.token.lost.behavior');
  });
});
