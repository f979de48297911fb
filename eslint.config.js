// Lint config. The `sluice/import-direction` rule enforces the import graph of DESIGN.md:
// each area lists the areas it may import from; anything else is an error.
import path from 'node:path';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;

const base = ['runtime/util', 'runtime/observability'];
const allowed = [
  ['runtime/util', base],
  ['runtime/observability', base],
  ['runtime/broker/log', [...base, 'runtime/broker/log']],
  ['runtime/broker/storage', [...base, 'runtime/broker/log', 'runtime/broker/storage']],
  ['runtime/broker/protocol', [...base, 'runtime/broker/log', 'runtime/broker/protocol']],
  ['runtime/broker/group', [...base, 'runtime/broker/log', 'runtime/broker/storage', 'runtime/broker/protocol', 'runtime/broker/group']],
  ['runtime/broker/cluster', [...base, 'runtime/broker/log', 'runtime/broker/storage', 'runtime/broker/protocol', 'runtime/broker/cluster']],
  ['runtime/broker/server', [...base, 'runtime/broker']],
  ['runtime/client', [...base, 'runtime/client', 'runtime/broker/log']],
  // The Connector API returns config definitions (Connector.config(): ConfigDef), so it builds on
  // connect/config, which imports only util (never connect/api).
  ['runtime/connect/config', [...base, 'runtime/connect/config']],
  ['runtime/connect/api', [...base, 'runtime/connect/api', 'runtime/connect/config']],
  // The plugin registry is the one place in runtime that may know the connectors.
  ['runtime/connect/worker/plugins.ts', [...base, 'runtime/connect', 'runtime/client', 'schema-registry/core', 'connectors']],
  ['runtime/connect', [...base, 'runtime/connect', 'runtime/client', 'schema-registry/core']],
  ['runtime/cli', ['']],
  ['connectors', ['runtime/connect/api', 'runtime/connect/config', '<own>']],
  ['schema-registry/core', ['runtime/util', 'schema-registry/core']],
  ['schema-registry', [...base, 'runtime/client', 'schema-registry']],
  ['test', ['']],
  ['examples', ['']],
];

const within = (file, area) => area === '' || file === area || file.startsWith(area.endsWith('.ts') ? area : area + '/');

const importDirection = {
  meta: { type: 'problem', messages: { denied: '{{from}} may not import {{to}} (DESIGN.md import direction; allowed: {{allowed}})' } },
  create(context) {
    const file = path.relative(root, context.filename).split(path.sep).join('/');
    const rule = allowed.find(([area]) => within(file, area));
    if (!rule) return {};
    const check = (node) => {
      const spec = node.source?.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = path.relative(root, path.resolve(path.dirname(context.filename), spec)).split(path.sep).join('/');
      const own = file.split('/').slice(0, 2).join('/');
      const areas = rule[1].map((a) => (a === '<own>' ? own : a));
      if (!areas.some((a) => within(target, a))) {
        context.report({ node, messageId: 'denied', data: { from: file, to: target, allowed: areas.join(', ') } });
      }
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'sluice-data/**', '.cache/**'] },
  ...tseslint.configs.recommended,
  {
    plugins: { sluice: { rules: { 'import-direction': importDirection } } },
    rules: {
      'sluice/import-direction': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
);
