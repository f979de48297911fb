/**
 * The cleaner's "key → latest offset" map in a fixed memory budget (Kafka's SkimpyOffsetMap). A
 * key is stored as a 96-bit hash (three independent 32-bit murmur3 lanes), not as bytes, so each
 * entry costs 20 bytes whatever the key size. Two keys colliding on all 96 bits would make the
 * cleaner drop the older one's record; at 10^8 keys that chance is ~10^-13 per pass (Kafka
 * accepts the same trade with a 128-bit MD5).
 */
const BYTES_PER_ENTRY = 20;
const EMPTY = -1;

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const SEED_A = 0x9747b28c;
const SEED_B = 0x5bd1e995;
const SEED_C = 0x2f0b3c1d;

// The three lanes of the last hash, kept in module scope so hashing allocates nothing.
let ha = 0;
let hb = 0;
let hc = 0;

function mixK(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}

function mixH(h: number, k: number): number {
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** murmur3_32 with three seeds at once over key[start, end); results in ha, hb, hc. */
function hashKey(key: Uint8Array, start: number, end: number): void {
  let a = SEED_A;
  let b = SEED_B;
  let c = SEED_C;
  const n = end - start;
  const blocks = start + (n & ~3);
  for (let i = start; i < blocks; i += 4) {
    const k = mixK(key[i] | (key[i + 1] << 8) | (key[i + 2] << 16) | (key[i + 3] << 24));
    a = mixH(a, k);
    b = mixH(b, k);
    c = mixH(c, k);
  }
  const rest = n & 3;
  if (rest > 0) {
    let tail = key[blocks];
    if (rest > 1) tail ^= key[blocks + 1] << 8;
    if (rest > 2) tail ^= key[blocks + 2] << 16;
    tail = mixK(tail);
    a ^= tail;
    b ^= tail;
    c ^= tail;
  }
  ha = fmix(a ^ n);
  hb = fmix(b ^ n);
  hc = fmix(c ^ n);
}

/** Slots allocated up front; the table doubles (rehashing the stored hashes) up to the budget. */
const INITIAL_SLOTS = 1 << 16;
/** Fill ratio that triggers growth while below the budget: sparse tables probe less. */
const GROWTH_LOAD = 0.5;

export class OffsetMap {
  /** Slots the memory budget allows. */
  readonly maxSlots: number;
  readonly maxEntries: number;
  #slots: number;
  #hashes: Int32Array;
  #offsets: Float64Array;
  #size = 0;
  #latestOffset = -1;

  /** `memoryBytes` bounds the table; `loadFactor` bounds how full it gets at that size. */
  constructor(memoryBytes: number, loadFactor = 0.9) {
    this.maxSlots = Math.max(16, Math.floor(memoryBytes / BYTES_PER_ENTRY));
    this.maxEntries = Math.max(1, Math.floor(this.maxSlots * loadFactor));
    this.#slots = Math.min(INITIAL_SLOTS, this.maxSlots);
    this.#hashes = new Int32Array(this.#slots * 3);
    this.#offsets = new Float64Array(this.#slots).fill(EMPTY);
  }

  get size(): number {
    return this.#size;
  }

  /** The largest offset put since the last clear, -1 if none. */
  get latestOffset(): number {
    return this.#latestOffset;
  }

  /** Room for `count` more distinct keys? */
  hasRoomFor(count: number): boolean {
    return this.#size + count <= this.maxEntries;
  }

  clear(): void {
    if (this.#slots > INITIAL_SLOTS) {
      this.#slots = Math.min(INITIAL_SLOTS, this.maxSlots);
      this.#hashes = new Int32Array(this.#slots * 3);
      this.#offsets = new Float64Array(this.#slots);
    }
    this.#offsets.fill(EMPTY);
    this.#size = 0;
    this.#latestOffset = -1;
  }

  #slotOf(): number {
    const slots = this.#slots;
    const hashes = this.#hashes;
    const offsets = this.#offsets;
    let slot = (ha >>> 0) % slots;
    for (;;) {
      if (offsets[slot] === EMPTY) return slot;
      const at = slot * 3;
      if (hashes[at] === ha && hashes[at + 1] === hb && hashes[at + 2] === hc) return slot;
      slot = slot + 1 === slots ? 0 : slot + 1;
    }
  }

  #grow(): void {
    const oldHashes = this.#hashes;
    const oldOffsets = this.#offsets;
    this.#slots = Math.min(this.#slots * 2, this.maxSlots);
    this.#hashes = new Int32Array(this.#slots * 3);
    this.#offsets = new Float64Array(this.#slots).fill(EMPTY);
    for (let i = 0; i < oldOffsets.length; i++) {
      if (oldOffsets[i] === EMPTY) continue;
      ha = oldHashes[i * 3];
      hb = oldHashes[i * 3 + 1];
      hc = oldHashes[i * 3 + 2];
      const slot = this.#slotOf();
      this.#hashes.set(oldHashes.subarray(i * 3, i * 3 + 3), slot * 3);
      this.#offsets[slot] = oldOffsets[i];
    }
  }

  /** Records `offset` as the latest for `key` (offsets must be put in increasing order). */
  put(key: Uint8Array, offset: number): void {
    this.putRange(key, 0, key.length, offset);
  }

  /** put() for the key bytes buf[start, end), without a view of them. */
  putRange(buf: Uint8Array, start: number, end: number, offset: number): void {
    hashKey(buf, start, end);
    let slot = this.#slotOf();
    if (this.#offsets[slot] === EMPTY) {
      if (this.#size >= this.maxEntries) throw new RangeError(`offset map is full (${this.maxEntries} keys)`);
      if (this.#size + 1 > this.#slots * GROWTH_LOAD && this.#slots < this.maxSlots) {
        const [a, b, c] = [ha, hb, hc];
        this.#grow();
        [ha, hb, hc] = [a, b, c];
        slot = this.#slotOf();
      }
      const at = slot * 3;
      this.#hashes[at] = ha;
      this.#hashes[at + 1] = hb;
      this.#hashes[at + 2] = hc;
      this.#size++;
    }
    this.#offsets[slot] = offset;
    if (offset > this.#latestOffset) this.#latestOffset = offset;
  }

  /** Calls `visit` with the latest offset of every key in the map. */
  forEachOffset(visit: (offset: number) => void): void {
    const offsets = this.#offsets;
    for (let i = 0; i < offsets.length; i++) if (offsets[i] !== EMPTY) visit(offsets[i]);
  }

  /** The latest offset put for `key`, or -1. */
  get(key: Uint8Array): number {
    return this.getRange(key, 0, key.length);
  }

  /** get() for the key bytes buf[start, end). */
  getRange(buf: Uint8Array, start: number, end: number): number {
    hashKey(buf, start, end);
    return this.#offsets[this.#slotOf()];
  }
}
