import { defineConfig } from 'vitest/config';

// Two projects: `unit` (unit + simulation, no services) and `integration` (integration, compat,
// faults), whose global setup starts only the real peers the selected files need.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/sim/**/*.test.ts'], testTimeout: 30_000 } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/compat/**/*.test.ts', 'test/faults/**/*.test.ts'],
          globalSetup: ['test/services/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
