// ProduceSender against a scripted broker: a fake connection that decodes each Produce request,
// checks sequences with the broker's own idempotence rules (ProducerStateTable) and answers when
// the test says so, with an error when the test injects one.
import type { Producer } from '@platformatic/kafka';
import { kGetApi, kGetConnection } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { readBatchHeader } from '../../../runtime/broker/log/batch-header.ts';
import { ProducerStateTable } from '../../../runtime/broker/server/producer-state.ts';
import { producerSettings } from '../../../runtime/client/config.ts';
import type { ClientConfig } from '../../../runtime/client/config.ts';
import type { RecordToSend } from '../../../runtime/client/produce-sender.ts';
import { ProduceSender } from '../../../runtime/client/produce-sender.ts';

const NOT_LEADER_OR_FOLLOWER = 6;
const MESSAGE_TOO_LARGE = 10;
const OUT_OF_ORDER_SEQUENCE_NUMBER = 45;
const DUPLICATE_SEQUENCE_NUMBER = 46;

interface SentBatch {
  topic: string;
  partition: number;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/** What the broker does with one request: answer normally, answer an error without appending, or append and lose the answer. */
type Fault = { kind: 'error'; code: number } | { kind: 'lose-answer' };

class FakeBroker {
  /** Records appended per partition (the log's end offset). */
  readonly logEnd = new Map<string, number>();
  readonly states = new Map<string, ProducerStateTable>();
  readonly requests: SentBatch[][] = [];
  readonly waiting: Array<{ batches: SentBatch[]; callback: (error: Error | null, response: unknown) => void }> = [];
  readonly faults = new Map<number, Fault>();
  /** Answer DUPLICATE_SEQUENCE_NUMBER (instead of NONE) for a retried batch the log already holds. */
  answerDuplicatesAsError = false;
  producerIds = 0;

  client(): Producer {
    const connection = {
      send: (_key: number, _version: number, createPayload: () => { buffer: Buffer }, _parser: unknown, _a: boolean, _b: boolean, callback: (error: Error | null, response: unknown) => void) => {
        const batches = decodeRequest(createPayload().buffer);
        this.requests.push(batches);
        this.waiting.push({ batches, callback });
      },
    };
    const client = {
      [kGetApi]: (_name: string, callback: (error: Error | null, api: unknown) => void) => callback(null, { version: 11 }),
      [kGetConnection]: (_broker: unknown, callback: (error: Error | null, connection: unknown) => void) => callback(null, connection),
      initIdempotentProducer: async () => ({ producerId: BigInt(1000 + this.producerIds++), producerEpoch: 0 }),
    };
    return client as unknown as Producer;
  }

  /** Handles and answers the `count` oldest waiting requests, in order. */
  answer(count = this.waiting.length): void {
    for (let i = 0; i < count; i++) {
      const next = this.waiting.shift();
      if (next === undefined) return;
      const index = this.requests.indexOf(next.batches);
      const fault = this.faults.get(index);
      if (fault?.kind === 'error') {
        next.callback(null, response(next.batches.map((b) => ({ batch: b, errorCode: fault.code, baseOffset: -1n }))));
        continue;
      }
      const answers = next.batches.map((b) => this.append(b));
      if (fault?.kind === 'lose-answer') next.callback(Object.assign(new Error('Connection closed'), { code: 'PLT_KFK_NETWORK', canRetry: true }), undefined);
      else next.callback(null, response(answers));
    }
  }

  private append(b: SentBatch): { batch: SentBatch; errorCode: number; baseOffset: bigint } {
    const key = `${b.topic}-${b.partition}`;
    let state = this.states.get(key);
    if (state === undefined) this.states.set(key, (state = new ProducerStateTable()));
    const incoming = { producerId: b.producerId, epoch: b.producerEpoch, firstSeq: b.baseSequence, recordCount: b.recordCount };
    const check = state.check(incoming, key);
    if (check.kind === 'error') return { batch: b, errorCode: OUT_OF_ORDER_SEQUENCE_NUMBER, baseOffset: -1n };
    if (check.kind === 'duplicate') return { batch: b, errorCode: this.answerDuplicatesAsError ? DUPLICATE_SEQUENCE_NUMBER : 0, baseOffset: check.batch.firstOffset };
    const base = this.logEnd.get(key) ?? 0;
    this.logEnd.set(key, base + b.recordCount);
    state.record(incoming, BigInt(base), BigInt(base + b.recordCount - 1), 0n);
    return { batch: b, errorCode: 0, baseOffset: BigInt(base) };
  }
}

function response(answers: Array<{ batch: SentBatch; errorCode: number; baseOffset: bigint }>): unknown {
  return {
    responses: answers.map(({ batch, errorCode, baseOffset }) => ({
      name: batch.topic,
      partitionResponses: [{ index: batch.partition, errorCode, baseOffset, errorMessage: null }],
    })),
  };
}

/** The batches of a Produce v11 request body. */
function decodeRequest(request: Buffer): SentBatch[] {
  let at = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = request[at++];
      value |= (byte & 0x7f) << shift;
      if (byte < 0x80) return value;
    }
  };
  expect(varint()).toBe(0); // transactional id: null
  at += 2 + 4;
  const batches: SentBatch[] = [];
  const topics = varint() - 1;
  for (let t = 0; t < topics; t++) {
    const nameLength = varint() - 1;
    const topic = request.toString('utf8', at, at + nameLength);
    at += nameLength;
    const partitions = varint() - 1;
    for (let p = 0; p < partitions; p++) {
      const partition = request.readInt32BE(at);
      at += 4;
      const length = varint() - 1;
      const header = readBatchHeader(request, at);
      batches.push({ topic, partition, producerId: header.producerId, producerEpoch: header.producerEpoch, baseSequence: header.baseSequence, recordCount: header.recordCount });
      at += length + 1;
    }
    at += 1;
  }
  return batches;
}

interface Outcome {
  record: RecordToSend;
  error: Error | undefined;
  offset: bigint;
}

function harness(config: ClientConfig = {}) {
  const broker = new FakeBroker();
  const { settings } = producerSettings({ 'bootstrap.servers': 'fake:9092', 'retry.backoff.ms': 1, 'retry.backoff.max.ms': 2, ...config });
  const queue: RecordToSend[][] = [];
  const outcomes: Outcome[] = [];
  let refreshes = 0;
  const sender: ProduceSender<RecordToSend> = new ProduceSender<RecordToSend>(
    broker.client(),
    settings,
    {
      leader: () => ({ host: 'fake', port: 9092 }),
      refreshMetadata: async () => {
        refreshes++;
      },
      complete: (records, error, baseOffset) => records.forEach((record, i) => outcomes.push({ record, error, offset: error === undefined ? baseOffset + BigInt(i) : -1n })),
      wake: () => pump(),
      nameBytes: (name) => Buffer.from(name),
    },
    undefined,
  );
  const pump = (): void => {
    while (sender.ready && queue.length > 0 && sender.trySend(queue[0])) queue.shift();
  };
  let n = 0;
  const enqueue = (requests: number, perRequest: number, partition = 0): void => {
    for (let r = 0; r < requests; r++) {
      queue.push(Array.from({ length: perRequest }, () => ({ topic: 't', partition, key: undefined, value: Buffer.from(`v${n++}`), headers: undefined, timestamp: 1n, enqueuedAt: Date.now() })));
    }
  };
  /** Answers whatever waits until the sender is idle and nothing is queued. */
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 1000 && !(sender.idle && queue.length === 0); i++) {
      broker.answer();
      pump();
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  };
  /** Starts the sender and gets one batch of partition 0 acknowledged (until then one request goes out at a time). */
  const confirmed = async (): Promise<void> => {
    await sender.start();
    enqueue(1, 1);
    await settle();
  };
  return { broker, sender, queue, outcomes, enqueue, pump, settle, confirmed, refreshes: () => refreshes };
}

const values = (outcomes: Outcome[]): string[] => outcomes.map((o) => o.record.value!.toString());

describe('ProduceSender', () => {
  it('keeps five idempotent requests in flight and acknowledges every record in order with its offset', async () => {
    const h = harness();
    await h.sender.start();
    h.enqueue(7, 10);
    h.pump();
    // The partition's first batch goes alone: the broker does not know the producer yet.
    expect(h.broker.waiting).toHaveLength(1);
    h.broker.answer();
    expect(h.broker.waiting).toHaveLength(5);
    expect(h.sender.ready).toBe(false);
    await h.settle();
    expect(h.broker.requests.map((r) => r[0].baseSequence)).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect(new Set(h.broker.requests.map((r) => r[0].producerId))).toEqual(new Set([1000n]));
    expect(h.outcomes.map((o) => o.offset)).toEqual(Array.from({ length: 70 }, (_, i) => BigInt(i)));
    expect(h.outcomes.every((o) => o.error === undefined)).toBe(true);
  });

  it('sends a batch refused by a former leader again with its sequence, then the batches behind it, in order', async () => {
    const h = harness();
    await h.confirmed();
    h.enqueue(3, 10);
    h.pump();
    expect(h.broker.waiting).toHaveLength(3);
    h.broker.faults.set(1, { kind: 'error', code: NOT_LEADER_OR_FOLLOWER });
    await h.settle();
    // The two behind it found a gap (OUT_OF_ORDER_SEQUENCE_NUMBER) and went again after it, one at a time.
    expect(h.broker.requests.map((r) => r[0].baseSequence)).toEqual([0, 1, 11, 21, 1, 11, 21]);
    expect(h.refreshes()).toBeGreaterThan(0);
    expect(h.broker.producerIds).toBe(1);
    expect(h.broker.logEnd.get('t-0')).toBe(31);
    expect(values(h.outcomes)).toEqual(Array.from({ length: 31 }, (_, i) => `v${i}`));
    expect(h.outcomes.map((o) => o.offset)).toEqual(Array.from({ length: 31 }, (_, i) => BigInt(i)));
  });

  it.each([false, true])('resends a batch whose answer was lost and takes the original offset from the duplicate answer (DUPLICATE_SEQUENCE_NUMBER: %s)', async (asError) => {
    const h = harness();
    await h.confirmed();
    h.broker.answerDuplicatesAsError = asError;
    h.enqueue(2, 10);
    h.pump();
    h.broker.faults.set(1, { kind: 'lose-answer' });
    await h.settle();
    expect(h.broker.logEnd.get('t-0')).toBe(21);
    expect(h.broker.requests.map((r) => r[0].baseSequence)).toEqual([0, 1, 11, 1]);
    const byValue = new Map(h.outcomes.map((o) => [o.record.value!.toString(), o]));
    expect(byValue.size).toBe(21);
    for (let i = 0; i < 21; i++) expect([byValue.get(`v${i}`)!.error, byValue.get(`v${i}`)!.offset]).toEqual([undefined, BigInt(i)]);
  });

  it('takes a new producer id when the earliest unresolved batch is out of sequence, and sends it again from sequence 0', async () => {
    const h = harness();
    await h.sender.start();
    h.enqueue(2, 5);
    h.pump();
    h.broker.faults.set(1, { kind: 'error', code: OUT_OF_ORDER_SEQUENCE_NUMBER });
    await h.settle();
    expect(h.broker.producerIds).toBe(2);
    expect(h.broker.requests.map((r) => [r[0].producerId, r[0].baseSequence])).toEqual([
      [1000n, 0],
      [1000n, 5],
      [1001n, 0],
    ]);
    expect(h.outcomes.map((o) => [o.error, o.offset])).toEqual(Array.from({ length: 10 }, (_, i) => [undefined, BigInt(i)]));
  });

  it('fails the records of a batch refused for good; the batches behind it go again under a new producer id', async () => {
    const h = harness();
    await h.confirmed();
    h.enqueue(2, 5);
    h.pump();
    h.broker.faults.set(1, { kind: 'error', code: MESSAGE_TOO_LARGE });
    await h.settle();
    const failed = h.outcomes.filter((o) => o.error !== undefined);
    expect(values(failed)).toEqual(['v1', 'v2', 'v3', 'v4', 'v5']);
    expect((failed[0].error as { code?: string }).code).toBe('MESSAGE_TOO_LARGE');
    const acked = h.outcomes.filter((o) => o.error === undefined);
    expect(values(acked)).toEqual(['v0', 'v6', 'v7', 'v8', 'v9', 'v10']);
    expect(acked.map((o) => o.offset)).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
    expect(h.broker.requests.at(-1)!.map((b) => [b.producerId, b.baseSequence])).toEqual([[1001n, 0]]);
  });

  it('fails a batch it keeps retrying once delivery.timeout.ms has passed', async () => {
    const h = harness({ 'delivery.timeout.ms': 40, 'request.timeout.ms': 30, 'linger.ms': 0 });
    await h.sender.start();
    h.enqueue(1, 3);
    h.pump();
    for (let i = 0; i < 100; i++) h.broker.faults.set(i, { kind: 'error', code: NOT_LEADER_OR_FOLLOWER });
    await h.settle();
    expect(h.outcomes).toHaveLength(3);
    expect(h.outcomes.every((o) => (o.error as { code?: string } | undefined)?.code === 'KAFKA_TIMEOUT')).toBe(true);
    expect(h.broker.requests.length).toBeGreaterThan(1);
  });

  it('without idempotence sends no producer id or sequence', async () => {
    const h = harness({ 'enable.idempotence': false });
    await h.sender.start();
    h.enqueue(2, 2);
    await h.settle();
    expect(h.broker.producerIds).toBe(0);
    expect(h.broker.requests.map((r) => [r[0].producerId, r[0].producerEpoch, r[0].baseSequence])).toEqual([
      [-1n, -1, -1],
      [-1n, -1, -1],
    ]);
    expect(h.outcomes.map((o) => o.offset)).toEqual([0n, 1n, 2n, 3n]);
  });
});
