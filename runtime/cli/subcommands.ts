/** The `sluice` subcommands. Each module exports `run(argv) => exit code`. */
export interface Subcommand {
  summary: string;
  run(argv: string[]): Promise<number>;
}

export const subcommands: Record<string, Subcommand> = {
  broker: { summary: 'run a single-node Kafka-compatible broker', run: async (argv) => (await import('./broker.ts')).run(argv) },
  topics: { summary: 'create, list, describe, alter and delete topics (like kafka-topics)', run: async (argv) => (await import('./topics.ts')).runTopics(argv) },
  produce: { summary: 'send stdin lines to a topic (like kafka-console-producer)', run: async (argv) => (await import('./produce.ts')).runProduce(argv) },
  consume: { summary: 'print the records of a topic (like kafka-console-consumer)', run: async (argv) => (await import('./consume.ts')).runConsume(argv) },
  groups: { summary: 'list, describe, delete consumer groups and reset offsets (like kafka-consumer-groups)', run: async (argv) => (await import('./groups.ts')).runGroups(argv) },
  registry: { summary: 'run a Confluent-compatible schema registry on the _schemas topic', run: async (argv) => (await import('./registry.ts')).run(argv) },
};
