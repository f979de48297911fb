/**
 * Idempotent-producer state of one partition, as Kafka's ProducerStateManager keeps it: per
 * producer id the current epoch and the metadata of its last five batches. Pure: the broker
 * checks a batch before appending it and records it after the append.
 */
export const MAX_REMEMBERED_BATCHES = 5;
const NO_EPOCH = -1;

export interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: bigint;
  lastOffset: bigint;
  timestamp: bigint;
}

export interface ProducerEntry {
  producerId: bigint;
  epoch: number;
  batches: BatchMetadata[];
  lastTimestamp: bigint;
}

export type SequenceCheck =
  | { kind: 'append' }
  | { kind: 'duplicate'; batch: BatchMetadata }
  | { kind: 'error'; error: 'INVALID_PRODUCER_EPOCH' | 'OUT_OF_ORDER_SEQUENCE_NUMBER'; message: string };

export interface IncomingBatch {
  producerId: bigint;
  epoch: number;
  firstSeq: number;
  recordCount: number;
}

/** Sequences wrap at Int32.MAX_VALUE back to 0, as in Kafka. */
export function lastSequence(firstSeq: number, recordCount: number): number {
  const last = firstSeq + recordCount - 1;
  return last > 0x7fffffff ? last - 0x80000000 : last;
}

function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === 0x7fffffff);
}

export class ProducerStateTable {
  readonly #entries = new Map<bigint, ProducerEntry>();

  get size(): number {
    return this.#entries.size;
  }

  entry(producerId: bigint): ProducerEntry | undefined {
    return this.#entries.get(producerId);
  }

  entries(): IterableIterator<ProducerEntry> {
    return this.#entries.values();
  }

  /** Decides whether a batch may be appended, is a retry of one already appended, or is refused. */
  check(batch: IncomingBatch, where: string): SequenceCheck {
    const current = this.#entries.get(batch.producerId);
    const currentEpoch = current?.epoch ?? NO_EPOCH;
    const lastSeq = lastSequence(batch.firstSeq, batch.recordCount);
    if (batch.epoch < currentEpoch) {
      return {
        kind: 'error',
        error: 'INVALID_PRODUCER_EPOCH',
        message: `epoch ${batch.epoch} of producer ${batch.producerId} in ${where} is older than the last seen epoch ${currentEpoch}`,
      };
    }
    if (current === undefined || currentEpoch === NO_EPOCH) return { kind: 'append' };
    if (batch.epoch > currentEpoch) {
      if (batch.firstSeq !== 0) {
        return {
          kind: 'error',
          error: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
          message: `producer ${batch.producerId} in ${where} starts its new epoch ${batch.epoch} at sequence ${batch.firstSeq}, not 0`,
        };
      }
      return { kind: 'append' };
    }
    const duplicate = current.batches.find((b) => b.firstSeq === batch.firstSeq && b.lastSeq === lastSeq);
    if (duplicate) return { kind: 'duplicate', batch: duplicate };
    const currentLast = current.batches.at(-1)?.lastSeq;
    // An entry whose batches were all removed (retention) accepts any sequence, as Kafka does.
    if (currentLast === undefined || inSequence(currentLast, batch.firstSeq)) return { kind: 'append' };
    return {
      kind: 'error',
      error: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
      message: `out of order sequence for producer ${batch.producerId} in ${where}: got ${batch.firstSeq}, expected ${currentLast + 1}`,
    };
  }

  /** Records an appended batch; keeps the last five per producer. */
  record(batch: IncomingBatch, firstOffset: bigint, lastOffset: bigint, timestamp: bigint): void {
    let entry = this.#entries.get(batch.producerId);
    if (!entry || entry.epoch !== batch.epoch) {
      entry = { producerId: batch.producerId, epoch: batch.epoch, batches: [], lastTimestamp: timestamp };
      this.#entries.set(batch.producerId, entry);
    }
    entry.batches.push({ firstSeq: batch.firstSeq, lastSeq: lastSequence(batch.firstSeq, batch.recordCount), firstOffset, lastOffset, timestamp });
    if (entry.batches.length > MAX_REMEMBERED_BATCHES) entry.batches.shift();
    entry.lastTimestamp = timestamp;
  }

  /** Drops producers idle for longer than `expirationMs` (producer.id.expiration.ms). */
  expire(nowMs: bigint, expirationMs: bigint): void {
    for (const [id, entry] of this.#entries) if (nowMs - entry.lastTimestamp > expirationMs) this.#entries.delete(id);
  }

  /** JSON-safe snapshot for persistence across restarts. */
  snapshot(): SnapshotEntry[] {
    return [...this.#entries.values()].map((e) => ({
      producerId: e.producerId.toString(),
      epoch: e.epoch,
      lastTimestamp: e.lastTimestamp.toString(),
      batches: e.batches.map((b) => ({ ...b, firstOffset: b.firstOffset.toString(), lastOffset: b.lastOffset.toString(), timestamp: b.timestamp.toString() })),
    }));
  }

  static fromSnapshot(entries: SnapshotEntry[]): ProducerStateTable {
    const table = new ProducerStateTable();
    for (const e of entries) {
      table.#entries.set(BigInt(e.producerId), {
        producerId: BigInt(e.producerId),
        epoch: e.epoch,
        lastTimestamp: BigInt(e.lastTimestamp),
        batches: e.batches.map((b) => ({ firstSeq: b.firstSeq, lastSeq: b.lastSeq, firstOffset: BigInt(b.firstOffset), lastOffset: BigInt(b.lastOffset), timestamp: BigInt(b.timestamp) })),
      });
    }
    return table;
  }
}

export interface SnapshotEntry {
  producerId: string;
  epoch: number;
  lastTimestamp: string;
  batches: Array<{ firstSeq: number; lastSeq: number; firstOffset: string; lastOffset: string; timestamp: string }>;
}
