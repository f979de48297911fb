/** Builds a herder and worker over FakeKafka for unit tests. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { ConfigProvider } from '../../../../runtime/connect/config/index.ts';
import { LoggerLevels } from '../../../../runtime/connect/herder/logger-levels.ts';
import { StandaloneHerder } from '../../../../runtime/connect/herder/standalone-herder.ts';
import type { TaskRestartConfig } from '../../../../runtime/connect/herder/task-restart-policy.ts';
import { FileOffsetStore } from '../../../../runtime/connect/offsets/index.ts';
import { ConnectMetrics } from '../../../../runtime/connect/worker/metrics.ts';
import { PluginRegistry } from '../../../../runtime/connect/worker/plugins.ts';
import { Worker } from '../../../../runtime/connect/worker/worker.ts';
import { systemClock } from '../../../../runtime/util/clock.ts';
import { seededRandom } from '../../../../runtime/util/random.ts';
import { FakeKafka } from './fake-kafka.ts';

export const STRING_WORKER = {
  'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
  'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
};

export interface Harness {
  herder: StandaloneHerder;
  worker: Worker;
  kafka: FakeKafka;
  metrics: ConnectMetrics;
  offsetStore: FileOffsetStore;
  plugins: PluginRegistry;
  dir: string;
  loggers: LoggerLevels;
}

export async function createHarness(
  options: {
    workerProps?: Record<string, string>;
    kafka?: FakeKafka;
    dir?: string;
    taskRestart?: Partial<TaskRestartConfig>;
    flushIntervalMs?: number;
    plugins?: PluginRegistry;
    configProviders?: ReadonlyMap<string, ConfigProvider>;
  } = {},
): Promise<Harness> {
  const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'sluice-worker-'));
  const kafka = options.kafka ?? new FakeKafka();
  const workerProps = { ...STRING_WORKER, ...(options.workerProps ?? {}) };
  const offsetStore = await FileOffsetStore.open(path.join(dir, 'connect.offsets'));
  const metrics = new ConnectMetrics(systemClock);
  const loggers = new LoggerLevels(pino({ level: 'silent' }), systemClock);
  const plugins = options.plugins ?? PluginRegistry.withBuiltins('test');
  const worker = new Worker({
    workerId: '127.0.0.1:8083',
    workerProps,
    bootstrapServers: 'fake:9092',
    flushIntervalMs: options.flushIntervalMs ?? 50,
    flushTimeoutMs: 2000,
    shutdownTimeoutMs: 2000,
    plugins,
    offsetStore,
    metrics,
    loggerFor: (name, bindings) => loggers.logger(name, bindings),
    clock: systemClock,
    random: seededRandom(1),
    clients: kafka.clients(),
    onTopic: (connector, topic) => herder.recordTopic(connector, topic),
  });
  const herder: StandaloneHerder = new StandaloneHerder({
    worker,
    plugins,
    offsetStore,
    metrics,
    loggers,
    clock: systemClock,
    workerProps,
    configProviders: options.configProviders ?? new Map(),
    overridePolicy: 'All',
    topicTracking: { enabled: true, allowReset: true },
    taskRestart: { enabled: false, backoffMs: 10, backoffMaxMs: 100, maxAttempts: 3, healthyAfterMs: 60_000, ...options.taskRestart },
    version: 'test',
    commit: 'abc',
    kafkaClusterId: async () => 'cluster-1',
  });
  herder.start();
  return { herder, worker, kafka, metrics, offsetStore, plugins, dir, loggers };
}
