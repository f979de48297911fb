// `npm run bench [-- --smoke] [name...]`: runs the benchmark suites and prints, per row, our
// figure, the anchor's figure measured in the same run, and the ratio.
import { benches } from './suites.ts';

const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const selected = args.filter((a) => !a.startsWith('--'));
const chosen = benches.filter((b) => selected.length === 0 || selected.includes(b.name));
if (chosen.length === 0) {
  process.stderr.write(`no benchmark matches ${selected.join(', ')}; available: ${benches.map((b) => b.name).join(', ')}\n`);
  process.exit(2);
}
for (const bench of chosen) {
  process.stdout.write(`\n## ${bench.name}${smoke ? ' (smoke)' : ''}\n`);
  const started = performance.now();
  await bench.run({ smoke });
  // The suite's own duration, so that a slow smoke run shows which suite to shorten.
  process.stdout.write(`\n(${bench.name}: ${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
}
