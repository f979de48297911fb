/**
 * Sequence numbers of an idempotent producer, as the Java producer's TransactionManager keeps
 * them: per partition the next sequence to give out and the batches that got one and are not yet
 * resolved (acknowledged or failed), in sequence order. The broker appends a batch only when its
 * base sequence follows the last one it appended for the producer id and partition, so a retried
 * batch keeps its sequence, and a batch whose sequence may never reach the broker (it failed for
 * good) means a new producer id (and sequences from 0) for what follows. Pure bookkeeping.
 */

const MAX_SEQUENCE = 0x7fffffff;

/** Kafka's sequence arithmetic: sequences wrap from Int32.MAX_VALUE back to 0. */
export function incrementSequence(sequence: number, increment: number): number {
  return sequence > MAX_SEQUENCE - increment ? increment - (MAX_SEQUENCE - sequence) - 1 : sequence + increment;
}

/** A batch as far as sequencing is concerned. */
export interface SequencedBatch {
  /** Key of its topic partition. */
  readonly partitionKey: string;
  readonly recordCount: number;
  producerId: bigint;
  producerEpoch: number;
  /** First sequence; -1 while none is assigned. */
  baseSequence: number;
}

export const NO_PRODUCER_ID = -1n;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;

export class ProducerSequences {
  #producerId = NO_PRODUCER_ID;
  #producerEpoch = NO_PRODUCER_EPOCH;
  readonly #next = new Map<string, number>();
  readonly #unresolved = new Map<string, SequencedBatch[]>();
  /** Partitions where the broker acknowledged a batch of the current producer id. */
  readonly #confirmed = new Set<string>();

  get producerId(): bigint {
    return this.#producerId;
  }

  get producerEpoch(): number {
    return this.#producerEpoch;
  }

  get hasProducerId(): boolean {
    return this.#producerId !== NO_PRODUCER_ID;
  }

  /**
   * Takes a new producer id: every partition starts again at sequence 0, and the batches still
   * unresolved (none is in flight when this is called) get new sequences in their order.
   */
  setProducerId(producerId: bigint, producerEpoch: number): void {
    this.#producerId = producerId;
    this.#producerEpoch = producerEpoch;
    this.#next.clear();
    this.#confirmed.clear();
    for (const [partitionKey, batches] of this.#unresolved) {
      let next = 0;
      for (const batch of batches) {
        batch.producerId = producerId;
        batch.producerEpoch = producerEpoch;
        batch.baseSequence = next;
        next = incrementSequence(next, batch.recordCount);
      }
      this.#next.set(partitionKey, next);
    }
  }

  /** Gives the batch the producer id and the next sequences of its partition. */
  assign(batch: SequencedBatch): void {
    const base = this.#next.get(batch.partitionKey) ?? 0;
    this.#next.set(batch.partitionKey, incrementSequence(base, batch.recordCount));
    batch.producerId = this.#producerId;
    batch.producerEpoch = this.#producerEpoch;
    batch.baseSequence = base;
    const list = this.#unresolved.get(batch.partitionKey);
    if (list === undefined) this.#unresolved.set(batch.partitionKey, [batch]);
    else list.push(batch);
  }

  /** Whether no batch of its partition with an earlier sequence is unresolved. */
  isFirstUnresolved(batch: SequencedBatch): boolean {
    return this.#unresolved.get(batch.partitionKey)?.[0] === batch;
  }

  /**
   * Whether the broker acknowledged a batch of the current producer id for the partition. Until it
   * did, a broker takes a producer it does not know at any sequence, so a second batch in flight
   * could be appended before a first one that failed: only one goes out at a time until then.
   */
  isConfirmed(partitionKey: string): boolean {
    return this.#confirmed.has(partitionKey);
  }

  /** The batch was acknowledged. */
  acknowledge(batch: SequencedBatch): void {
    if (batch.producerId === this.#producerId) this.#confirmed.add(batch.partitionKey);
    this.resolve(batch);
  }

  /** The batch was acknowledged or failed for good. */
  resolve(batch: SequencedBatch): void {
    const list = this.#unresolved.get(batch.partitionKey);
    if (list === undefined) return;
    const index = list[0] === batch ? 0 : list.indexOf(batch);
    if (index < 0) return;
    list.splice(index, 1);
    if (list.length === 0) this.#unresolved.delete(batch.partitionKey);
  }

  /** Unresolved batches of all partitions. */
  get unresolvedCount(): number {
    let count = 0;
    for (const list of this.#unresolved.values()) count += list.length;
    return count;
  }
}
