import path from 'node:path';
import { CorruptDataError } from '../../util/errors.ts';
import { readIfExists, writeFileAtomicSync } from '../storage/fs-util.ts';

/**
 * Producer ids for InitProducerId. Ids are reserved in blocks (as Kafka's controller hands out
 * blocks of 1000): the end of the current block is written durably before any id of it is handed
 * out, so an id is never given twice, even after a kill -9 — a reused id with epoch 0 and sequence
 * 0 would otherwise be mistaken for a retry of an old producer's batch.
 */
export const PRODUCER_ID_FILE = 'producer-id-block';
const BLOCK_SIZE = 1000n;

export class ProducerIdAllocator {
  readonly #file: string;
  #next: bigint;
  #blockEnd: bigint;

  private constructor(file: string, next: bigint) {
    this.#file = file;
    this.#next = next;
    this.#blockEnd = next;
  }

  static open(dataDir: string): ProducerIdAllocator {
    const file = path.join(dataDir, PRODUCER_ID_FILE);
    const text = readIfExists(file)?.toString('utf8');
    let next = 0n;
    if (text !== undefined) {
      const m = /^next\.block\.start=(\d+)\s*$/m.exec(text);
      if (m === null) throw new CorruptDataError(`${file}: expected a line next.block.start=N`, { code: 'PRODUCER_ID_BLOCK_INVALID', context: { file } });
      next = BigInt(m[1]);
    }
    return new ProducerIdAllocator(file, next);
  }

  /** A producer id never handed out before. */
  allocate(): bigint {
    if (this.#next >= this.#blockEnd) {
      const end = this.#next + BLOCK_SIZE;
      writeFileAtomicSync(this.#file, `next.block.start=${end}\n`);
      this.#blockEnd = end;
    }
    return this.#next++;
  }
}
