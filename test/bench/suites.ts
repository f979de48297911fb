import { brokerBench } from './broker.ts';
import { connectBench } from './connect.ts';
import { elasticsearchBench } from './elasticsearch.ts';
import { fileSourceBench } from './file-source.ts';
import { logBench } from './log.ts';
import { mongodbBench } from './mongodb.ts';
import { registryBench } from './registry.ts';
import type { Bench } from './table.ts';

/** Every benchmark suite; each file under test/bench registers itself here. */
export const benches: Bench[] = [logBench, brokerBench, elasticsearchBench, connectBench, fileSourceBench, registryBench, mongodbBench];
