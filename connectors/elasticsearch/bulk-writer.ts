/**
 * Batches operations into bulk requests and keeps at most `maxInFlight` of them outstanding.
 * A batch closes at `batchSize` operations or `maxBatchBytes` bytes, or when its oldest operation
 * has lingered `lingerMs`. Retriable failures (the whole request, or single items) go back to the
 * front of the queue after a backoff, up to the retry policy's limit; then the writer fails.
 * Operations with the same order key are never outstanding twice at a time, and when one of them
 * must be retried the later ones of its batch are resent after it, so Elasticsearch applies them
 * in order.
 *
 * I/O is a BulkTransport and time is Timers, both injected: this is a state machine that unit
 * tests drive without Elasticsearch or real clocks.
 */
import { ConnectError } from '../../runtime/connect/api/index.ts';
import type { ItemOutcome, ItemResult } from './item-outcome.ts';
import { OK, describeItemError } from './item-outcome.ts';
import type { RetryPolicy } from './retry-policy.ts';

/** What the writer needs of an operation. */
export interface WritableItem {
  /** Size of the operation in a request, for maxBatchBytes. */
  readonly bytes: number;
  readonly orderKey: string | null;
}

/** A failed bulk request as a whole; `retriable` when sending it again may work. */
export class BulkRequestError extends ConnectError {
  readonly status: number | null;

  constructor(message: string, options: { retriable: boolean; status?: number | null; cause?: unknown }) {
    super(message, { code: options.retriable ? 'ES_REQUEST_RETRIABLE' : 'ES_REQUEST_FAILED', retriable: options.retriable, cause: options.cause });
    this.status = options.status ?? null;
  }
}

export interface BulkTransport<T extends WritableItem> {
  /** Sends one bulk request: one result per item, in order, or ALL_OK when every item succeeded. Rejects with BulkRequestError. */
  send(items: readonly T[]): Promise<readonly ItemResult[] | typeof ALL_OK>;
}

export const ALL_OK = 'all-ok' as const;

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface BulkWriterOptions<T extends WritableItem> {
  batchSize: number;
  /** -1: no byte limit. */
  maxBatchBytes: number;
  maxInFlight: number;
  lingerMs: number;
  retry: RetryPolicy;
  transport: BulkTransport<T>;
  classify(item: T, result: ItemResult): ItemOutcome;
  /** Every item ends here exactly once, unless the writer fails first: ok, malformed, conflict or failed. */
  onSettled(item: T, outcome: ItemOutcome): void;
  /** A retry is scheduled (for logging). */
  onRetry?(reason: string, items: number, retry: number, delayMs: number): void;
  timers?: Timers;
}

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
  limit: number;
  timer: unknown;
}

export class BulkWriter<T extends WritableItem> {
  readonly #o: BulkWriterOptions<T>;
  readonly #timers: Timers;
  #queue: T[] = [];
  #head = 0;
  #queuedBytes = 0;
  /** Retries made per item (absent: none). */
  readonly #retries = new WeakMap<T, number>();
  /** Order keys of items in flight or waiting for a retry, with their counts. */
  readonly #busyKeys = new Map<string, number>();
  #inFlightRequests = 0;
  #inFlightItems = 0;
  #waitingItems = 0;
  #lingerDeadline: number | null = null;
  #lingerTimer: unknown = null;
  readonly #retryTimers = new Set<unknown>();
  #failure: Error | null = null;
  #closed = false;
  readonly #waiters = new Set<Waiter>();

  constructor(options: BulkWriterOptions<T>) {
    this.#o = options;
    this.#timers = options.timers ?? systemTimers;
  }

  /** Items held: queued, in flight, or waiting for a retry. */
  get size(): number {
    return this.#queue.length - this.#head + this.#inFlightItems + this.#waitingItems;
  }

  /** The error that stopped the writer, if any. */
  get failure(): Error | null {
    return this.#failure;
  }

  add(item: T): void {
    if (this.#failure !== null || this.#closed) throw this.#failure ?? new ConnectError('The Elasticsearch bulk writer is closed');
    if (this.#queue.length === this.#head) this.#lingerDeadline = this.#timers.now() + this.#o.lingerMs;
    this.#queue.push(item);
    this.#queuedBytes += item.bytes;
  }

  /** Sends what can be sent now; call after add()ing a group of items. */
  pump(): void {
    if (this.#failure !== null || this.#closed) return;
    while (this.#inFlightRequests < this.#o.maxInFlight && this.#queue.length > this.#head) {
      const queued = this.#queue.length - this.#head;
      const full = queued >= this.#o.batchSize || (this.#o.maxBatchBytes >= 0 && this.#queuedBytes >= this.#o.maxBatchBytes);
      if (!full && this.#lingerDeadline !== null && this.#timers.now() < this.#lingerDeadline) {
        this.#armLinger(this.#lingerDeadline);
        return;
      }
      const batch = this.#takeBatch();
      if (batch.length === 0) return;
      void this.#send(batch);
    }
  }

  /** Sends the items queued now without waiting for their linger time (offset commits). */
  sendNow(): void {
    if (this.#queue.length > this.#head) this.#lingerDeadline = this.#timers.now();
    this.pump();
  }

  /** Resolves once every item is settled; rejects when the writer fails or `timeoutMs` passes. */
  flush(timeoutMs: number): Promise<void> {
    this.sendNow();
    return this.#wait(1, timeoutMs, `Failed to flush all records to Elasticsearch within flush.timeout.ms (${timeoutMs} ms)`);
  }

  /** Resolves once fewer than `limit` items are held; rejects on failure or after `timeoutMs`. */
  whenBelow(limit: number, timeoutMs: number, timeoutMessage: string): Promise<void> {
    return this.#wait(limit, timeoutMs, timeoutMessage);
  }

  /** Stops all sending and timers; pending waits reject. Outstanding requests finish unheard. */
  close(): void {
    this.#closed = true;
    this.#clearTimers();
    this.#rejectWaiters(new ConnectError('The Elasticsearch bulk writer was closed'));
  }

  #wait(limit: number, timeoutMs: number, timeoutMessage: string): Promise<void> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    if (this.size < limit) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, limit, timer: null };
      waiter.timer = this.#timers.setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new ConnectError(timeoutMessage, { code: 'ES_FLUSH_TIMEOUT' }));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  #notifyWaiters(): void {
    if (this.#waiters.size === 0) return;
    const size = this.size;
    for (const waiter of this.#waiters) {
      if (size >= waiter.limit) continue;
      this.#timers.clearTimeout(waiter.timer);
      this.#waiters.delete(waiter);
      waiter.resolve();
    }
  }

  #rejectWaiters(error: Error): void {
    for (const waiter of this.#waiters) {
      this.#timers.clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    this.#waiters.clear();
  }

  #armLinger(deadline: number): void {
    if (this.#lingerTimer !== null) return;
    this.#lingerTimer = this.#timers.setTimeout(() => {
      this.#lingerTimer = null;
      this.pump();
    }, Math.max(0, deadline - this.#timers.now()));
  }

  #clearTimers(): void {
    if (this.#lingerTimer !== null) this.#timers.clearTimeout(this.#lingerTimer);
    this.#lingerTimer = null;
    for (const timer of this.#retryTimers) this.#timers.clearTimeout(timer);
    this.#retryTimers.clear();
  }

  #fail(error: Error): void {
    if (this.#failure !== null) return;
    this.#failure = error;
    this.#clearTimers();
    this.#rejectWaiters(error);
  }

  #takeBatch(): T[] {
    const batch: T[] = [];
    const skipped: T[] = [];
    const maxBytes = this.#o.maxBatchBytes;
    const batchKeys = new Set<string>();
    let bytes = 0;
    let i = this.#head;
    const queue = this.#queue;
    for (; i < queue.length && batch.length < this.#o.batchSize; i++) {
      const item = queue[i];
      if (maxBytes >= 0 && batch.length > 0 && bytes + item.bytes > maxBytes) break;
      const key = item.orderKey;
      if (key !== null && this.#busyKeys.has(key) && !batchKeys.has(key)) {
        skipped.push(item);
        continue;
      }
      if (key !== null) batchKeys.add(key);
      batch.push(item);
      bytes += item.bytes;
    }
    for (const item of batch) if (item.orderKey !== null) this.#busyKeys.set(item.orderKey, (this.#busyKeys.get(item.orderKey) ?? 0) + 1);
    if (skipped.length === 0) {
      this.#head = i;
    } else {
      // Items skipped for their order key stay ahead of everything not yet looked at.
      this.#queue = skipped.concat(queue.slice(i));
      this.#head = 0;
    }
    if (this.#head > 4096 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    this.#queuedBytes -= bytes;
    if (this.#queue.length === this.#head) {
      this.#queue = [];
      this.#head = 0;
      this.#queuedBytes = 0;
      this.#lingerDeadline = null;
    }
    this.#inFlightItems += batch.length;
    return batch;
  }

  #releaseKey(item: T): void {
    const key = item.orderKey;
    if (key === null) return;
    const count = this.#busyKeys.get(key)! - 1;
    if (count === 0) this.#busyKeys.delete(key);
    else this.#busyKeys.set(key, count);
  }

  async #send(batch: T[]): Promise<void> {
    this.#inFlightRequests++;
    let results: readonly ItemResult[] | typeof ALL_OK | null = null;
    let requestError: unknown = null;
    try {
      results = await this.#o.transport.send(batch);
    } catch (err) {
      requestError = err;
    }
    this.#inFlightRequests--;
    this.#inFlightItems -= batch.length;
    if (this.#closed) return;
    try {
      if (results !== null) this.#handleResults(batch, results);
      else this.#handleRequestError(batch, requestError);
    } catch (err) {
      // A callback threw: nothing more can be trusted.
      this.#fail(err instanceof Error ? err : new ConnectError(String(err)));
    }
    this.#notifyWaiters();
    this.pump();
  }

  #handleResults(batch: T[], results: readonly ItemResult[] | typeof ALL_OK): void {
    if (results === ALL_OK) {
      for (const item of batch) {
        this.#releaseKey(item);
        this.#o.onSettled(item, OK);
      }
      return;
    }
    if (results.length !== batch.length) {
      for (const item of batch) this.#releaseKey(item);
      this.#fail(new BulkRequestError(`Elasticsearch answered a bulk request of ${batch.length} operations with ${results.length} results`, { retriable: false }));
      return;
    }
    const retry: T[] = [];
    let retryKeys: Set<string> | null = null;
    let lastReason = '';
    for (let i = 0; i < batch.length; i++) {
      const item = batch[i];
      const outcome = this.#o.classify(item, results[i]);
      if (outcome.kind === 'retry') {
        retry.push(item);
        this.#retries.set(item, (this.#retries.get(item) ?? 0) + 1);
        lastReason = `${outcome.status} ${describeItemError(outcome.error)}`;
        if (item.orderKey !== null) (retryKeys ??= new Set()).add(item.orderKey);
      } else if (item.orderKey !== null && retryKeys?.has(item.orderKey)) {
        // An earlier write of this document is retried: resend this one after it.
        retry.push(item);
      } else {
        this.#releaseKey(item);
        this.#o.onSettled(item, outcome);
      }
    }
    if (retry.length > 0) this.#scheduleRetry(retry, `bulk item failed: ${lastReason}`);
  }

  #handleRequestError(batch: T[], error: unknown): void {
    const retriable = error instanceof BulkRequestError ? error.retriable : false;
    const message = error instanceof Error ? error.message : String(error);
    if (!retriable) {
      for (const item of batch) this.#releaseKey(item);
      this.#fail(error instanceof Error ? error : new BulkRequestError(message, { retriable: false }));
      return;
    }
    for (const item of batch) this.#retries.set(item, (this.#retries.get(item) ?? 0) + 1);
    this.#scheduleRetry(batch, `bulk request failed: ${message}`);
  }

  #scheduleRetry(items: T[], reason: string): void {
    let retry = 0;
    for (const item of items) retry = Math.max(retry, this.#retries.get(item) ?? 0);
    if (!this.#o.retry.allows(retry - 1)) {
      for (const item of items) this.#releaseKey(item);
      this.#fail(
        new ConnectError(`Failed to write ${items.length} record(s) to Elasticsearch after ${retry} attempt(s) (max.retries=${this.#o.retry.maxRetries}); last error: ${reason}`, {
          code: 'ES_RETRIES_EXHAUSTED',
          retriable: false,
        }),
      );
      return;
    }
    const delay = this.#o.retry.delayMs(retry);
    this.#o.onRetry?.(reason, items.length, retry, delay);
    this.#waitingItems += items.length;
    const timer = this.#timers.setTimeout(() => {
      this.#retryTimers.delete(timer);
      this.#waitingItems -= items.length;
      for (const item of items) this.#releaseKey(item);
      // Retried items are older than anything queued: they go first.
      const rest = this.#queue.slice(this.#head);
      this.#queue = items.concat(rest);
      this.#head = 0;
      for (const item of items) this.#queuedBytes += item.bytes;
      this.#lingerDeadline = this.#timers.now();
      this.pump();
    }, delay);
    this.#retryTimers.add(timer);
  }
}
