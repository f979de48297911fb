/**
 * Leader election between registry processes through a Kafka group, speaking Confluent's "sr"
 * protocol (group-protocol.ts) with the classic group APIs: FindCoordinator, JoinGroup,
 * SyncGroup, Heartbeat, LeaveGroup. The Sluice consumer only knows the "consumer" protocol type,
 * so this member talks to the coordinator itself through @platformatic/kafka's connections.
 *
 * While a rebalance runs nobody leads (writes answer 50004, as in Confluent); once the assignment
 * arrives `onChange` reports the leader. A member that stops heartbeating (kill -9) is evicted by
 * the coordinator after session.timeout.ms, the others rejoin and a new leader is chosen.
 */
import { Connection, findCoordinatorV6, heartbeatV4, joinGroupV9, leaveGroupV5, syncGroupV5 } from '@platformatic/kafka';
import type { Logger } from '../../runtime/observability/logger.ts';
import { backoffDelay } from '../../runtime/util/backoff.ts';
import { systemRandom } from '../../runtime/util/random.ts';
import {
  assignLeader,
  decodeAssignment,
  decodeIdentity,
  DUPLICATE_URLS,
  encodeAssignment,
  encodeIdentity,
  identityUrl,
  PROTOCOL_TYPE,
  SUBPROTOCOL,
  type Assignment,
  type GroupMemberInfo,
  type RegistryIdentity,
} from './group-protocol.ts';

const GROUP_KEY_TYPE = 0;
// Kafka error codes the membership loop reacts to.
const COORDINATOR_LOAD_IN_PROGRESS = 14;
const COORDINATOR_NOT_AVAILABLE = 15;
const NOT_COORDINATOR = 16;
const ILLEGAL_GENERATION = 22;
const UNKNOWN_MEMBER_ID = 25;
const REBALANCE_IN_PROGRESS = 27;
const MEMBER_ID_REQUIRED = 79;

export interface LeaderElectorOptions {
  bootstrapServers: readonly string[];
  groupId: string;
  identity: RegistryIdentity;
  clientId?: string;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  rebalanceTimeoutMs?: number;
  sticky?: boolean;
  logger?: Logger;
  /** Called after every completed join (leader known) and when a rebalance starts (leader null). */
  onChange(leader: { self: boolean; identity: RegistryIdentity } | null): void;
}

class ProtocolFailure extends Error {
  readonly errorCode: number;
  constructor(errorCode: number, what: string, cause?: unknown) {
    super(`${what} failed with Kafka error ${errorCode}`, { cause });
    this.errorCode = errorCode;
  }
}

/** The Kafka error code of a failed request, if the broker answered with one. */
function errorCodeOf(err: unknown): number | undefined {
  const response = (err as { response?: { errorCode?: number; coordinators?: { errorCode: number }[] } } | null)?.response;
  if (typeof response?.errorCode === 'number' && response.errorCode !== 0) return response.errorCode;
  const coordinator = response?.coordinators?.find((c) => c.errorCode !== 0);
  if (coordinator !== undefined) return coordinator.errorCode;
  const nested = (err as { errors?: unknown[] } | null)?.errors;
  if (Array.isArray(nested)) {
    for (const e of nested) {
      // platformatic's ProtocolError calls the Kafka code apiCode.
      const code = (e as { errorCode?: number; apiCode?: number } | null)?.errorCode ?? (e as { apiCode?: number } | null)?.apiCode;
      if (typeof code === 'number' && code !== 0) return code;
    }
  }
  return undefined;
}

function hostPort(server: string): { host: string; port: number } {
  const i = server.lastIndexOf(':');
  return { host: server.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(server.slice(i + 1)) };
}

export class LeaderElector {
  private readonly options: Required<Omit<LeaderElectorOptions, 'logger' | 'clientId'>> & { logger?: Logger; clientId: string };
  private coordinator: Connection | undefined;
  private memberId = '';
  private generationId = -1;
  private closed = false;
  private loop: Promise<void> | undefined;
  private wakeSleep: (() => void) | undefined;
  private firstAssignment: { resolve: () => void; promise: Promise<void> };
  /** Rejects on close, so that a request still waiting for the coordinator (a JoinGroup can wait minutes) does not hold the shutdown. */
  private readonly closing: Promise<never>;
  private abortPending!: (err: Error) => void;

  constructor(options: LeaderElectorOptions) {
    this.options = {
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 3_000,
      rebalanceTimeoutMs: 300_000,
      sticky: false,
      clientId: 'sluice-schema-registry',
      ...options,
    };
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.firstAssignment = { resolve, promise };
    this.closing = new Promise<never>((_, reject) => (this.abortPending = reject));
    this.closing.catch(() => undefined);
  }

  private abortable<T>(request: Promise<T>): Promise<T> {
    return Promise.race([request, this.closing]);
  }

  /** Starts taking part in the group; resolves once the first assignment arrived. */
  start(): Promise<void> {
    this.loop ??= this.run();
    return this.firstAssignment.promise;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wakeSleep?.();
    this.abortPending(new Error('the leader elector is closing'));
    const coordinator = this.coordinator;
    if (coordinator !== undefined && this.memberId !== '') {
      try {
        // Bounded: an unreachable coordinator must not hold the shutdown (it evicts us after the session timeout anyway).
        const leave = leaveGroupV5.api.async(coordinator, this.options.groupId, [{ memberId: this.memberId, reason: 'the registry is shutting down' }]);
        await Promise.race([leave, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
      } catch (err) {
        this.options.logger?.debug({ err }, 'leaving the schema registry group failed');
      }
    }
    await this.dropCoordinator();
    this.firstAssignment.resolve();
    await this.loop?.catch(() => undefined);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      try {
        const coordinator = await this.ensureCoordinator();
        const assignment = await this.joinAndSync(coordinator);
        failures = 0;
        this.assigned(assignment);
        await this.heartbeatUntilRebalance(coordinator);
      } catch (err) {
        if (this.closed) return;
        const code = err instanceof ProtocolFailure ? err.errorCode : errorCodeOf(err);
        if (code === UNKNOWN_MEMBER_ID || code === ILLEGAL_GENERATION) this.memberId = '';
        if (code === undefined || code === NOT_COORDINATOR || code === COORDINATOR_NOT_AVAILABLE || code === COORDINATOR_LOAD_IN_PROGRESS) await this.dropCoordinator();
        this.options.onChange(null);
        if (code !== REBALANCE_IN_PROGRESS && code !== UNKNOWN_MEMBER_ID && code !== ILLEGAL_GENERATION) {
          // A coordinator that is moving or still loading is routine on a fresh cluster.
          const routine = code === NOT_COORDINATOR || code === COORDINATOR_NOT_AVAILABLE || code === COORDINATOR_LOAD_IN_PROGRESS;
          const log = { err, groupId: this.options.groupId, errorCode: code };
          if (routine) this.options.logger?.debug(log, 'schema registry group coordinator not ready; retrying');
          else this.options.logger?.warn(log, 'schema registry group membership failed; retrying');
          await this.sleep(backoffDelay(failures++, 100, 5_000, systemRandom));
        }
      }
    }
  }

  private async ensureCoordinator(): Promise<Connection> {
    if (this.coordinator !== undefined) return this.coordinator;
    let lastError: unknown;
    for (const server of this.options.bootstrapServers) {
      const bootstrap = new Connection(this.options.clientId, { connectTimeout: 10_000, requestTimeout: 30_000 });
      try {
        const { host, port } = hostPort(server);
        await this.abortable(bootstrap.connect(host, port) as Promise<void>);
        const response = await this.abortable(findCoordinatorV6.api.async(bootstrap, GROUP_KEY_TYPE, [this.options.groupId]));
        const found = response.coordinators.find((c) => c.key === this.options.groupId);
        if (found === undefined || found.errorCode !== 0) throw new ProtocolFailure(found?.errorCode ?? COORDINATOR_NOT_AVAILABLE, 'FindCoordinator');
        const coordinator = new Connection(this.options.clientId, {
          connectTimeout: 10_000,
          // A JoinGroup may wait for the whole rebalance.
          requestTimeout: this.options.rebalanceTimeoutMs + 10_000,
        });
        try {
          await this.abortable(coordinator.connect(found.host, found.port) as Promise<void>);
        } catch (err) {
          // Closed while connecting (or the connect failed): its socket must not outlive us.
          await coordinator.close().catch(() => undefined);
          throw err;
        }
        this.coordinator = coordinator;
        return coordinator;
      } catch (err) {
        lastError = err;
      } finally {
        await bootstrap.close().catch(() => undefined);
      }
    }
    throw lastError;
  }

  private async dropCoordinator(): Promise<void> {
    const c = this.coordinator;
    this.coordinator = undefined;
    await c?.close().catch(() => undefined);
  }

  private async joinAndSync(coordinator: Connection): Promise<Assignment> {
    const { groupId, sessionTimeoutMs, rebalanceTimeoutMs, identity, sticky } = this.options;
    const protocols = [{ name: SUBPROTOCOL, metadata: encodeIdentity(identity) }];
    let join;
    try {
      join = await this.abortable(joinGroupV9.api.async(coordinator, groupId, sessionTimeoutMs, rebalanceTimeoutMs, this.memberId, null, PROTOCOL_TYPE, protocols, null));
    } catch (err) {
      const code = errorCodeOf(err);
      const assigned = (err as { response?: { memberId?: string } }).response?.memberId;
      // Kafka hands out the member id in a first, refused join (KIP-394).
      if (code === MEMBER_ID_REQUIRED && assigned) {
        this.memberId = assigned;
        join = await this.abortable(joinGroupV9.api.async(coordinator, groupId, sessionTimeoutMs, rebalanceTimeoutMs, this.memberId, null, PROTOCOL_TYPE, protocols, null));
      } else {
        throw err;
      }
    }
    this.memberId = join.memberId;
    this.generationId = join.generationId;
    let assignments: { memberId: string; assignment: Buffer }[] = [];
    if (join.leader === join.memberId) {
      const members: GroupMemberInfo[] = join.members.map((m) => ({ memberId: m.memberId, identity: decodeIdentity(m.metadata) }));
      const assignment = assignLeader(members, sticky);
      if (assignment.error === DUPLICATE_URLS) {
        this.options.logger?.error({ members: members.map((m) => identityUrl(m.identity)) }, 'schema registry group members advertise the same URL; set a distinct host name per registry');
      }
      const bytes = encodeAssignment(assignment);
      assignments = members.map((m) => ({ memberId: m.memberId, assignment: bytes }));
    }
    const sync = await this.abortable(syncGroupV5.api.async(coordinator, groupId, this.generationId, this.memberId, null, PROTOCOL_TYPE, SUBPROTOCOL, assignments));
    return decodeAssignment(sync.assignment);
  }

  private assigned(assignment: Assignment): void {
    const identity = this.options.identity;
    if (assignment.error !== 0 || assignment.leaderIdentity === null) {
      identity.isLeader = false;
      this.options.onChange(null);
    } else {
      const self = assignment.leader === this.memberId;
      identity.isLeader = self;
      this.options.onChange({ self, identity: assignment.leaderIdentity });
    }
    this.firstAssignment.resolve();
  }

  /** Heartbeats until the coordinator asks for a rejoin (throws with the reason) or the elector closes. */
  private async heartbeatUntilRebalance(coordinator: Connection): Promise<void> {
    while (!this.closed) {
      await this.sleep(this.options.heartbeatIntervalMs);
      if (this.closed) return;
      await this.abortable(heartbeatV4.api.async(coordinator, this.options.groupId, this.generationId, this.memberId, null));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeSleep = undefined;
        resolve();
      }, ms);
      this.wakeSleep = () => {
        clearTimeout(timer);
        this.wakeSleep = undefined;
        resolve();
      };
    });
  }
}
