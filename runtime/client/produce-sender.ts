/**
 * Sends the producer's batches as Produce requests (v9–11) on platformatic's connections, as the
 * Java producer's Sender does: up to `max.in.flight.requests.per.connection` requests in flight,
 * idempotent sequences per partition (ProducerSequences), and retries that keep order.
 *
 * Order: requests to one broker share one connection, which writes them in order, and the broker
 * handles a connection's requests one after another; with idempotence the broker also refuses a
 * batch whose sequence does not follow the last one appended. When a batch fails with a retriable
 * error the sender stops sending new batches, waits until every request in flight has answered,
 * refreshes metadata if the error says it is stale, takes a new producer id if a sequence was lost
 * for good, then resends the failed batches, the earliest of each partition at a time, with their
 * sequences — a batch the broker had appended after all comes back as a duplicate with its
 * original offset. New batches go out again once every failed one is resolved.
 */
import type { Broker, Connection, Producer } from '@platformatic/kafka';
import { ProtocolError, Writer, kGetApi, kGetConnection, produceV10, produceV11, produceV9 } from '@platformatic/kafka';
import type { Logger } from '../observability/logger.ts';
import type { SluiceError } from '../util/errors.ts';
import { backoffDelay } from '../util/backoff.ts';
import { systemRandom } from '../util/random.ts';
import type { ProducerSettings } from './config.ts';
import { BrokerError, KafkaClientError, KafkaConnectionError, wrapKafkaError } from './errors.ts';
import type { EncodedBatch, HeaderNameBytes, RecordToEncode } from './produce-encoding.ts';
import { encodeProduceRequest, encodeRecordBatch } from './produce-encoding.ts';
import type { SequencedBatch } from './producer-sequences.ts';
import { NO_PRODUCER_EPOCH, NO_PRODUCER_ID, NO_SEQUENCE, ProducerSequences } from './producer-sequences.ts';
import { topicPartitionKey } from './types.ts';

/** What the sender needs of a record: its partition, bytes and when it was accepted. */
export interface RecordToSend extends RecordToEncode {
  topic: string;
  partition: number;
  enqueuedAt: number;
}

/** The producer around the sender: metadata and what becomes of each batch. */
export interface SenderHost<T> {
  /** The leader of the partition by the metadata at hand; undefined when it has none. */
  leader(topic: string, partition: number): Broker | undefined;
  /** Reads the metadata of these topics again (leaders moved). */
  refreshMetadata(topics: readonly string[]): Promise<void>;
  /** The records of a batch are done: acknowledged from `baseOffset` on (-1n when unknown), or failed. */
  complete(records: readonly T[], error: Error | undefined, baseOffset: bigint): void;
  /** The sender can take more (a request answered, or recovery ended). */
  wake(): void;
  /** Header names as bytes (kept by the host: names repeat on every record). */
  nameBytes: HeaderNameBytes;
}

interface Batch<T> extends SequencedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly T[];
  /** Epoch ms after which it fails instead of being sent again (delivery.timeout.ms). */
  readonly deadline: number;
  /** Dispatch order, so that retries go out in the order the batches first did. */
  order: number;
  attempts: number;
}

type ProduceApi = { version: number };
type ResponseParser = NonNullable<Parameters<Connection['send']>[3]>;

interface PartitionResponse {
  index: number;
  errorCode: number;
  baseOffset: bigint;
  errorMessage: string | null;
}

interface ProduceResponse {
  responses: Array<{ name: string; partitionResponses: PartitionResponse[] }>;
}

const PARSERS = new Map<number, (...args: Parameters<ResponseParser>) => unknown>([
  [9, produceV9.parseResponse],
  [10, produceV10.parseResponse],
  [11, produceV11.parseResponse],
]);

const ACKS_NONE = 0;
const DUPLICATE_SEQUENCE_NUMBER = 46;
/** Errors after which the batch is sent again once metadata was read again (the leader moved). */
const STALE_METADATA = new Set(['NOT_LEADER_OR_FOLLOWER', 'LEADER_NOT_AVAILABLE', 'UNKNOWN_TOPIC_OR_PARTITION', 'FENCED_LEADER_EPOCH', 'UNKNOWN_LEADER_EPOCH', 'KAFKA_STORAGE_ERROR']);
/** Sequence errors: the broker lacks an earlier batch of the producer (or the producer itself). */
const SEQUENCE_ERRORS = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH']);

export class ProduceSender<T extends RecordToSend> {
  readonly #client: Producer;
  readonly #settings: ProducerSettings;
  readonly #host: SenderHost<T>;
  readonly #logger: Logger | undefined;
  readonly #sequences = new ProducerSequences();
  readonly #idempotent: boolean;
  /** Batches that failed with a retriable error, waiting to be sent again. */
  #retries: Array<Batch<T>> = [];
  #recovering = false;
  #recoveryRunning = false;
  #staleMetadata = false;
  #needsProducerId: boolean;
  #inFlight = 0;
  #order = 0;
  #api: ProduceApi | undefined;
  #closed = false;
  /** The broker's own wait for acks=all, below the client's request timeout so the broker answers first (as baseOptions sets it). */
  readonly #serverTimeoutMs: number;

  constructor(client: Producer, settings: ProducerSettings, host: SenderHost<T>, logger: Logger | undefined) {
    this.#client = client;
    this.#settings = settings;
    this.#host = host;
    this.#logger = logger;
    this.#idempotent = settings.idempotent;
    this.#needsProducerId = settings.idempotent;
    this.#serverTimeoutMs = Math.max(1, settings.requestTimeoutMs - Math.min(5000, Math.floor(settings.requestTimeoutMs / 10)));
  }

  /** Whether a new request may go out now (a slot is free and no failed batch waits). */
  get ready(): boolean {
    return this.#inFlight < this.#settings.maxInFlight && !this.#recovering && this.#api !== undefined && !this.#needsProducerId;
  }

  /** Nothing in flight and nothing waiting to be sent again. */
  get idle(): boolean {
    return this.#inFlight === 0 && !this.#recovering && this.#retries.length === 0;
  }

  /** Whether failed batches are being sent again (new batches wait). */
  get recovering(): boolean {
    return this.#recovering;
  }

  /** Resolves the Produce version (and, with idempotence, the producer id) before the first send. */
  async start(): Promise<void> {
    if (this.#api === undefined) this.#api = await this.#produceApi();
    if (this.#needsProducerId) await this.#initProducerId();
  }

  close(): void {
    this.#closed = true;
  }

  /**
   * Sends one request's records (each partition's records contiguous, in order) and returns true;
   * or returns false, sending nothing, when the request must wait for the requests in flight (it
   * holds the first batch of a partition under the current producer id). Call only when `ready`.
   */
  trySend(records: readonly T[]): boolean {
    const batches: Array<Batch<T>> = [];
    let start = 0;
    for (let i = 1; i <= records.length; i++) {
      if (i < records.length && records[i].partition === records[start].partition && records[i].topic === records[start].topic) continue;
      const slice = start === 0 && i === records.length ? records : records.slice(start, i);
      let oldest = Infinity;
      for (const r of slice) if (r.enqueuedAt < oldest) oldest = r.enqueuedAt;
      const first = slice[0];
      batches.push({
        topic: first.topic,
        partition: first.partition,
        partitionKey: topicPartitionKey(first.topic, first.partition),
        records: slice,
        recordCount: slice.length,
        producerId: NO_PRODUCER_ID,
        producerEpoch: NO_PRODUCER_EPOCH,
        baseSequence: NO_SEQUENCE,
        deadline: oldest + this.#settings.deliveryTimeoutMs,
        order: 0,
        attempts: 0,
      });
      start = i;
    }
    if (this.#idempotent && this.#inFlight > 0 && batches.some((b) => !this.#sequences.isConfirmed(b.partitionKey))) return false;
    for (const batch of batches) {
      batch.order = this.#order++;
      if (this.#idempotent) this.#sequences.assign(batch);
    }
    this.#dispatch(batches, Date.now());
    return true;
  }

  /** Groups batches by leader and sends one request to each. */
  #dispatch(batches: Array<Batch<T>>, now: number): void {
    const byLeader = new Map<Broker, Array<Batch<T>>>();
    for (const batch of batches) {
      if (now > batch.deadline) {
        this.#fail(batch, this.#expired(batch));
        continue;
      }
      const leader = this.#host.leader(batch.topic, batch.partition);
      if (leader === undefined) {
        this.#staleMetadata = true;
        this.#retry(batch, new BrokerError('LEADER_NOT_AVAILABLE', 5, `no leader known for ${batch.partitionKey}`, { retriable: true, context: { topic: batch.topic, partition: batch.partition } }));
        continue;
      }
      const list = byLeader.get(leader);
      if (list === undefined) byLeader.set(leader, [batch]);
      else list.push(batch);
    }
    for (const [leader, list] of byLeader) this.#sendRequest(leader, list);
    if (byLeader.size === 0) this.#afterResponse();
  }

  #sendRequest(leader: Broker, batches: Array<Batch<T>>): void {
    this.#inFlight++;
    const version = this.#api!.version;
    const parser = PARSERS.get(version)!;
    for (const batch of batches) batch.attempts++;
    this.#client[kGetConnection](leader, (connectionError: Error | null, connection: Connection | undefined) => {
      if (connectionError !== null || connection === undefined) {
        this.#onResponse(batches, connectionError ?? new Error('no connection'), undefined);
        return;
      }
      let encoded: EncodedBatch[];
      try {
        encoded = batches.map((b) => ({ topic: b.topic, partition: b.partition, bytes: encodeRecordBatch(b.records, b, this.#settings.compression, this.#host.nameBytes) }));
      } catch (err) {
        this.#onResponse(batches, err, undefined);
        return;
      }
      const acks = this.#settings.acks;
      connection.send(
        0,
        version,
        () => {
          // platformatic's Writer joins the pieces with the request header in one copy.
          const writer = Writer.create();
          for (const part of encodeProduceRequest(acks, this.#serverTimeoutMs, encoded)) writer.append(part);
          if (acks === ACKS_NONE) writer.context.noResponse = true;
          return writer;
        },
        tolerantParser(parser),
        true,
        true,
        (error: Error | null, response: unknown) => this.#onResponse(batches, error, acks === ACKS_NONE ? null : (response as ProduceResponse | undefined)),
      );
    });
  }

  #onResponse(batches: Array<Batch<T>>, error: unknown, response: ProduceResponse | null | undefined): void {
    this.#inFlight--;
    if (error !== null && error !== undefined) {
      const wrapped = wrapKafkaError(error, `producing to ${describe(batches)}`, { topic: batches[0].topic });
      // A request that got no answer: its leader may have moved, and any batch may have been appended.
      this.#staleMetadata = true;
      for (const batch of batches) this.#retryOrFail(batch, wrapped);
    } else if (response === null) {
      for (const batch of batches) this.#succeed(batch, -1n);
    } else {
      const answers = new Map<string, PartitionResponse>();
      for (const topic of response?.responses ?? []) for (const p of topic.partitionResponses) answers.set(topicPartitionKey(topic.name, p.index), p);
      for (const batch of batches) {
        const answer = answers.get(batch.partitionKey);
        if (answer === undefined) {
          this.#retryOrFail(batch, new KafkaClientError('MISSING_ACKNOWLEDGEMENT', `the broker answered nothing for ${batch.partitionKey}`, { retriable: true }));
        } else if (answer.errorCode === 0 || answer.errorCode === DUPLICATE_SEQUENCE_NUMBER) {
          // A duplicate is a retry of a batch the broker had appended: it answers with the original offset.
          this.#succeed(batch, answer.baseOffset);
        } else {
          const protocol = new ProtocolError(answer.errorCode, answer.errorMessage);
          this.#retryOrFail(batch, wrapKafkaError(protocol, `producing to ${batch.partitionKey}`, { topic: batch.topic, partition: batch.partition }));
        }
      }
    }
    this.#afterResponse();
  }

  #afterResponse(): void {
    if (this.#recovering) this.#recover();
    this.#host.wake();
  }

  #succeed(batch: Batch<T>, baseOffset: bigint): void {
    if (this.#idempotent) this.#sequences.acknowledge(batch);
    this.#host.complete(batch.records, undefined, baseOffset);
  }

  #fail(batch: Batch<T>, error: Error): void {
    if (this.#idempotent && batch.baseSequence !== NO_SEQUENCE) {
      this.#sequences.resolve(batch);
      // The broker may or may not have its sequence: what follows starts over with a new producer id.
      this.#needsProducerId = true;
      this.#recovering = true;
    }
    this.#host.complete(batch.records, error, -1n);
  }

  #retryOrFail(batch: Batch<T>, error: SluiceError): void {
    const sequenceError = SEQUENCE_ERRORS.has(error.code);
    // Retries are bounded by delivery.timeout.ms, as the Java producer's are by default.
    if (!(error.retriable || sequenceError)) {
      this.#fail(batch, error);
      return;
    }
    if (Date.now() > batch.deadline) {
      this.#fail(batch, this.#expired(batch, error));
      return;
    }
    if (sequenceError && this.#idempotent && this.#sequences.isFirstUnresolved(batch)) {
      // Nothing before it is missing, so the broker lost the producer's state (or never had it):
      // start over with a new producer id, as Java's producer does after UNKNOWN_PRODUCER_ID.
      this.#logger?.warn({ topic: batch.topic, partition: batch.partition, err: error }, `${error.code} for ${batch.partitionKey}: taking a new producer id and sending again`);
      this.#needsProducerId = true;
    }
    if (STALE_METADATA.has(error.code) || error instanceof KafkaConnectionError) this.#staleMetadata = true;
    this.#retry(batch, error);
  }

  #retry(batch: Batch<T>, error: Error): void {
    this.#logger?.debug({ err: error, topic: batch.topic, partition: batch.partition, attempts: batch.attempts }, `retrying a batch of ${batch.recordCount} record(s) for ${batch.partitionKey}`);
    this.#retries.push(batch);
    this.#recovering = true;
  }

  #expired(batch: Batch<T>, cause?: Error): Error {
    return new KafkaConnectionError(
      'KAFKA_TIMEOUT',
      `expiring ${batch.recordCount} record(s) for ${batch.partitionKey}: delivery.timeout.ms (${this.#settings.deliveryTimeoutMs}) elapsed${cause === undefined ? '' : `: ${cause.message}`}`,
      { cause, context: { topic: batch.topic, partition: batch.partition } },
    );
  }

  /** One step of recovery, once nothing is in flight: wait, re-read metadata, new producer id, resend. */
  #recover(): void {
    if (this.#inFlight > 0 || this.#recoveryRunning) return;
    this.#recoveryRunning = true;
    this.#recoveryStep()
      .catch((err: unknown) => this.#logger?.warn({ err }, 'producer recovery step failed; trying again'))
      .finally(() => {
        this.#recoveryRunning = false;
        if (this.#recovering && this.#inFlight === 0) {
          // A step that sent nothing (metadata or producer id not available yet) tries again.
          setTimeout(() => this.#recover(), this.#settings.retryBackoffMs);
        }
        this.#host.wake();
      });
  }

  async #recoveryStep(): Promise<void> {
    const attempts = this.#retries.reduce((max, b) => Math.max(max, b.attempts), 0);
    if (this.#retries.length > 0) {
      await sleep(backoffDelay(Math.max(0, attempts - 1), this.#settings.retryBackoffMs, Math.max(this.#settings.retryBackoffMs, this.#settings.retryBackoffMaxMs), systemRandom));
    }
    const now = Date.now();
    const live: Array<Batch<T>> = [];
    for (const batch of this.#retries) {
      if (now > batch.deadline || this.#closed) this.#fail(batch, this.#expired(batch));
      else live.push(batch);
    }
    this.#retries = live;
    if (this.#staleMetadata && live.length > 0) {
      await this.#host.refreshMetadata([...new Set(live.map((b) => b.topic))]);
      this.#staleMetadata = false;
    }
    if (this.#needsProducerId) {
      if (this.#closed) return;
      await this.#initProducerId();
    }
    if (this.#retries.length === 0) {
      this.#recovering = false;
      return;
    }
    // The earliest failed batch of each partition; the others follow once it is resolved.
    this.#retries.sort((a, b) => a.order - b.order);
    const next: Array<Batch<T>> = [];
    const seen = new Set<string>();
    const rest: Array<Batch<T>> = [];
    for (const batch of this.#retries) {
      if (seen.has(batch.partitionKey)) {
        rest.push(batch);
      } else {
        seen.add(batch.partitionKey);
        next.push(batch);
      }
    }
    this.#retries = rest;
    this.#dispatch(next, Date.now());
  }

  async #initProducerId(): Promise<void> {
    const info = await this.#client.initIdempotentProducer({});
    this.#sequences.setProducerId(info.producerId, info.producerEpoch);
    this.#needsProducerId = false;
  }

  async #produceApi(): Promise<ProduceApi> {
    const api = await new Promise<ProduceApi>((resolve, reject) => {
      this.#client[kGetApi]('Produce', (error: Error | null, found: unknown) => (error === null ? resolve(found as ProduceApi) : reject(wrapKafkaError(error, 'looking up the Produce API version'))));
    });
    if (!PARSERS.has(api.version)) {
      throw new KafkaClientError('KAFKA_UNSUPPORTED', `the broker offers Produce v${api.version}; this producer needs v9–11 (Kafka 2.4 or later)`, { context: { version: api.version } });
    }
    return api;
  }
}

/** The parser, answering with the response even when partitions carry errors (they are handled per batch). */
function tolerantParser(parse: (...args: Parameters<ResponseParser>) => unknown): ResponseParser {
  return ((...args: Parameters<ResponseParser>) => {
    try {
      return parse(...args);
    } catch (err) {
      const response = (err as { response?: unknown }).response;
      if (response !== undefined) return response;
      throw err;
    }
  }) as ResponseParser;
}

function describe(batches: ReadonlyArray<Batch<RecordToSend>>): string {
  const names = batches.map((b) => b.partitionKey);
  return names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
