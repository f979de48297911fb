/**
 * Records waiting to be sent, per partition, as the Java producer's RecordAccumulator keeps them:
 * a partition is ready once `batch.size` bytes wait for it; the producer drains everything when a
 * partition is ready or when `linger.ms` passed since the oldest waiting record. Pure: the caller
 * supplies time and does the sending.
 */
/** One partition's waiting records and their sizes, side by side (no wrapper object per record). */
interface PartitionQueue<T> {
  items: T[];
  sizes: number[];
  bytes: number;
}

export class RecordAccumulator<T> {
  private readonly batchSize: number;
  private readonly maxRequestSize: number;
  private readonly partitions = new Map<string, PartitionQueue<T>>();
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
      queue = { items: [], sizes: [], bytes: 0 };
      this.partitions.set(partitionKey, queue);
    }
    queue.items.push(item);
    queue.sizes.push(bytes);
    queue.bytes += bytes;
    this.waitingBytes += bytes;
    this.oldest ??= now;
    return queue.bytes >= this.batchSize;
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
    for (const { items, sizes } of this.partitions.values()) {
      for (let i = 0; i < items.length; i++) {
        if (current.length > 0 && currentBytes + sizes[i] > this.maxRequestSize) {
          requests.push(current);
          current = [];
          currentBytes = 0;
        }
        current.push(items[i]);
        currentBytes += sizes[i];
      }
    }
    if (current.length > 0) requests.push(current);
    this.partitions.clear();
    this.waitingBytes = 0;
    this.oldest = undefined;
    return requests;
  }
}
