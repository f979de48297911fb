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
   * Takes every waiting record, as requests of at most `max.request.size` bytes holding at most
   * one batch per partition, a batch being at most `batch.size` bytes (as the Java producer's: a
   * topic's max.message.bytes is sized for that). A single larger record still gets its own
   * batch (the producer refused records above max.request.size earlier). A partition's later
   * batches go into later requests, so its records keep their order.
   */
  drain(): T[][] {
    const requests: Array<{ items: T[]; bytes: number }> = [];
    const batchLimit = Math.min(this.batchSize, this.maxRequestSize);
    for (const { items, sizes } of this.partitions.values()) {
      let earliest = 0;
      let i = 0;
      while (i < items.length) {
        let end = i + 1;
        let batchBytes = sizes[i];
        while (end < items.length && batchBytes + sizes[end] <= batchLimit) batchBytes += sizes[end++];
        let r = earliest;
        while (r < requests.length && requests[r].bytes + batchBytes > this.maxRequestSize) r++;
        if (r === requests.length) requests.push({ items: [], bytes: 0 });
        const request = requests[r];
        for (let k = i; k < end; k++) request.items.push(items[k]);
        request.bytes += batchBytes;
        earliest = r + 1;
        i = end;
      }
    }
    this.partitions.clear();
    this.waitingBytes = 0;
    this.oldest = undefined;
    return requests.map((request) => request.items);
  }
}
