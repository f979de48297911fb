/**
 * Records waiting to be sent, per partition, as the Java producer's RecordAccumulator keeps them:
 * a partition is ready once `batch.size` bytes wait for it; the producer drains everything when a
 * partition is ready or when `linger.ms` passed since the oldest waiting record. Pure: the caller
 * supplies time and does the sending.
 */
export interface Waiting<T> {
  item: T;
  bytes: number;
}

export class RecordAccumulator<T> {
  private readonly batchSize: number;
  private readonly maxRequestSize: number;
  private readonly partitions = new Map<string, Waiting<T>[]>();
  private readonly partitionBytes = new Map<string, number>();
  private waitingBytes = 0;
  private oldest: number | undefined;

  constructor(batchSize: number, maxRequestSize: number) {
    this.batchSize = batchSize;
    this.maxRequestSize = maxRequestSize;
  }

  /** Adds a record; true when its partition now holds a full batch (send without lingering). */
  append(partitionKey: string, item: T, bytes: number, now: number): boolean {
    let queue = this.partitions.get(partitionKey);
    if (queue === undefined) {
      queue = [];
      this.partitions.set(partitionKey, queue);
    }
    queue.push({ item, bytes });
    const total = (this.partitionBytes.get(partitionKey) ?? 0) + bytes;
    this.partitionBytes.set(partitionKey, total);
    this.waitingBytes += bytes;
    this.oldest ??= now;
    return total >= this.batchSize;
  }

  get bytes(): number {
    return this.waitingBytes;
  }

  get isEmpty(): boolean {
    return this.partitions.size === 0;
  }

  /** Epoch ms of the oldest waiting record, undefined when empty. */
  get oldestAppend(): number | undefined {
    return this.oldest;
  }

  /**
   * Takes every waiting record, grouped into requests of at most `max.request.size` bytes (a
   * single larger record, refused earlier by the producer, would still get its own request).
   * Records of one partition keep their order across requests.
   */
  drain(): T[][] {
    const requests: T[][] = [];
    let current: T[] = [];
    let currentBytes = 0;
    for (const queue of this.partitions.values()) {
      for (const { item, bytes } of queue) {
        if (current.length > 0 && currentBytes + bytes > this.maxRequestSize) {
          requests.push(current);
          current = [];
          currentBytes = 0;
        }
        current.push(item);
        currentBytes += bytes;
      }
    }
    if (current.length > 0) requests.push(current);
    this.partitions.clear();
    this.partitionBytes.clear();
    this.waitingBytes = 0;
    this.oldest = undefined;
    return requests;
  }
}
