/** The `sluice` subcommands. Each module exports `run(argv) => exit code`. */
export interface Subcommand {
  summary: string;
  run(argv: string[]): Promise<number>;
}

export const subcommands: Record<string, Subcommand> = {
  broker: { summary: 'run a single-node Kafka-compatible broker', run: async (argv) => (await import('./broker.ts')).run(argv) },
};
