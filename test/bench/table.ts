/** A benchmark suite: measures our figure and its anchor in the same run. */
export interface Bench {
  name: string;
  run(options: { smoke: boolean }): Promise<void>;
}

export interface Row {
  case: string;
  metric: string;
  ours: number;
  anchor: number;
  anchorName: string;
  /** true when a larger figure is better (throughput); false for latency and time. */
  higherIsBetter: boolean;
  target?: number;
}

/** Prints rows as a Markdown table: ours, anchor, ratio (ours/anchor for throughput, anchor/ours for time). */
export function printTable(rows: Row[]): void {
  const fmt = (n: number): string => (n >= 100 ? n.toFixed(0) : n.toFixed(2));
  process.stdout.write('| case | metric | ours | anchor | ratio | target |\n|---|---|---|---|---|---|\n');
  for (const r of rows) {
    const ratio = r.higherIsBetter ? r.ours / r.anchor : r.anchor / r.ours;
    const target = r.target === undefined ? '' : `${ratio >= r.target ? 'met' : 'MISSED'} (≥ ${r.target})`;
    process.stdout.write(`| ${r.case} | ${r.metric} | ${fmt(r.ours)} | ${fmt(r.anchor)} (${r.anchorName}) | ${ratio.toFixed(2)}× | ${target} |\n`);
  }
}
