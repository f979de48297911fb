import v8 from 'node:v8';

/**
 * Old-generation growth for a process that runs only the broker (`sluice broker`), applied once
 * it has started. A broker's live heap is small (~12 MB) while it moves tens of MB/s of socket
 * and file buffers; with V8's own growth factor (~1.9x past the live size for a heap this small)
 * it then ran a full collection every 100-200 ms under a producer (6 partitions, 64 KiB
 * batches): ~40 % of its CPU and pauses of 10-60 ms during which no socket is read. Letting the
 * old generation grow to 4x its live size before the next full collection removes nearly all of
 * them (1 instead of 12-22 per 180-300 MB produced). Set after start-up, so that start-up's
 * allocations are collected with V8's defaults and the idle heap stays as small as before.
 * V8 flags are process-wide, so embedders (a worker running the broker in a thread) do not call
 * this: their heap is theirs to size.
 */
const OLD_GENERATION_GROWTH_PERCENT = 300;

export function tuneHeapForBroker(): void {
  v8.setFlagsFromString(`--heap-growing-percent=${OLD_GENERATION_GROWTH_PERCENT}`);
}
