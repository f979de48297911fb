#!/usr/bin/env node
// `connect-standalone worker.properties connector.properties ...`, as in Kafka Connect.
import { runMain } from './main.ts';

await runMain('connect-standalone', async (argv) => {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') {
    process.stdout.write('Usage: connect-standalone worker.properties [connector.properties|connector.json ...]\n');
    return argv.length === 0 ? 1 : 0;
  }
  const { runStandalone } = await import('./standalone.ts');
  return runStandalone(argv);
});
