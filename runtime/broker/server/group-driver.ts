import type { Logger } from '../../observability/logger.ts';
import type { Clock } from '../../util/clock.ts';
import { SluiceError, messageOf } from '../../util/errors.ts';
import { encodeBatch } from '../log/records.ts';
import { encodeCoordinatorRecord } from '../group/index.ts';
import type { CoordinatorRecord, DeferredResponse, Effect, RequestId, UnknownCoordinatorRecord , GroupCoordinator} from '../group/index.ts';
import { ErrorCode } from '../protocol/index.ts';

/**
 * Drives the pure group coordinator: hands out request ids, turns `respond` effects into resolved
 * promises, carries out `append` effects as record batches on __consumer_offsets (reporting the
 * outcome back), and arms one timer at the coordinator's next deadline.
 */
export type OffsetsAppender = (partition: number, batch: Buffer) => Promise<void>;

/** Maps a failed append to the Kafka error the coordinator expects (storage failures are KAFKA_STORAGE_ERROR). */
export type AppendErrorMapper = (err: unknown) => number;

type BodyOf<A extends DeferredResponse['api']> = Extract<DeferredResponse, { api: A }>['body'];

export class GroupDriver {
  readonly coordinator: GroupCoordinator;
  readonly #append: OffsetsAppender;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #mapError: AppendErrorMapper;
  readonly #waiting = new Map<RequestId, (response: DeferredResponse) => void>();
  #nextRequestId = 1;
  #timer: NodeJS.Timeout | undefined;
  #timerDeadline: number | undefined;
  #stopped = false;

  constructor(coordinator: GroupCoordinator, append: OffsetsAppender, clock: Clock, logger: Logger, mapError: AppendErrorMapper) {
    this.coordinator = coordinator;
    this.#append = append;
    this.#clock = clock;
    this.#log = logger;
    this.#mapError = mapError;
  }

  /** Loads the decoded __consumer_offsets records, then starts the timers. */
  load(records: Iterable<CoordinatorRecord | UnknownCoordinatorRecord>): void {
    this.apply(this.coordinator.load(records));
  }

  /**
   * Runs a coordinator call that answers through a `respond` effect and resolves with that answer
   * (possibly much later: a parked JoinGroup).
   */
  async call<A extends DeferredResponse['api']>(api: A, run: (requestId: RequestId) => Effect[]): Promise<BodyOf<A>> {
    const requestId = this.#nextRequestId++;
    const answer = new Promise<DeferredResponse>((resolve) => this.#waiting.set(requestId, resolve));
    this.apply(run(requestId));
    const response = await answer;
    if (response.api !== api) {
      throw new SluiceError('GROUP_RESPONSE_MISMATCH', `group coordinator answered ${api} request ${requestId} with ${response.api}`, { context: { api, requestId } });
    }
    return response.body as BodyOf<A>;
  }

  /** Runs a synchronous coordinator call (Heartbeat, OffsetFetch, ...) and re-arms the timer after it. */
  now<T>(run: (coordinator: GroupCoordinator) => T): T {
    const result = run(this.coordinator);
    this.#arm();
    return result;
  }

  apply(effects: Effect[]): void {
    for (const effect of effects) {
      if (effect.kind === 'respond') {
        const resolve = this.#waiting.get(effect.requestId);
        if (resolve === undefined) {
          this.#log.error({ requestId: effect.requestId, api: effect.api }, 'group coordinator answered an unknown request');
          continue;
        }
        this.#waiting.delete(effect.requestId);
        resolve(effect);
      } else {
        this.#appendRecords(effect.appendId, effect.partition, effect.records);
      }
    }
    this.#arm();
  }

  #appendRecords(appendId: number, partition: number, records: CoordinatorRecord[]): void {
    let batch: Buffer;
    const now = BigInt(this.#clock.now());
    try {
      batch = encodeBatch({
        records: records.map((r) => {
          const encoded = encodeCoordinatorRecord(r);
          return { key: encoded.key, value: encoded.value, timestamp: now };
        }),
      });
    } catch (err) {
      this.#log.error({ err: messageOf(err), partition }, 'cannot encode __consumer_offsets records');
      queueMicrotask(() => this.#completed(appendId, ErrorCode.UNKNOWN_SERVER_ERROR));
      return;
    }
    this.#append(partition, batch).then(
      () => this.#completed(appendId, ErrorCode.NONE),
      (err: unknown) => {
        this.#log.error({ err: messageOf(err), partition }, 'append to __consumer_offsets failed');
        this.#completed(appendId, this.#mapError(err));
      },
    );
  }

  #completed(appendId: number, errorCode: number): void {
    if (this.#stopped) return;
    this.apply(this.coordinator.appendCompleted(appendId, errorCode));
  }

  #arm(): void {
    if (this.#stopped) return;
    const deadline = this.coordinator.nextDeadline();
    if (deadline === this.#timerDeadline) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerDeadline = deadline;
    if (deadline === undefined) return;
    const delay = Math.max(0, Math.min(deadline - this.#clock.now(), 0x7fffffff));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerDeadline = undefined;
      this.apply(this.coordinator.tick());
    }, delay);
    this.#timer.unref();
  }

  /** Answers parked requests with NOT_COORDINATOR and stops the timer. */
  stop(): void {
    this.apply(this.coordinator.shutdown());
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
