/**
 * The "sr" group protocol Confluent Schema Registry uses to elect its leader (subprotocol "v0"),
 * so Sluice registries can share a group with Confluent's or Karapace's. Members join with their
 * identity as JSON metadata; the member Kafka picks as group leader computes the assignment: the
 * eligible member with the smallest URL leads (or, with sticky election, the member already
 * leading), and every member receives the same assignment naming it. Pure: no I/O.
 */
import { CorruptDataError } from '../../runtime/util/errors.ts';

export const PROTOCOL_TYPE = 'sr';
export const SUBPROTOCOL = 'v0';
const CURRENT_VERSION = 1;
export const NO_ERROR = 0;
/** Two members advertise the same URL: followers could not forward to the right one. */
export const DUPLICATE_URLS = 1;

export interface RegistryIdentity {
  host: string;
  port: number;
  scheme: string;
  leaderEligibility: boolean;
  /** Set by a member that currently leads (used by sticky election). */
  isLeader: boolean;
}

export interface Assignment {
  error: number;
  /** Kafka member id of the leader; null when no member is eligible. */
  leader: string | null;
  leaderIdentity: RegistryIdentity | null;
}

export interface GroupMemberInfo {
  memberId: string;
  identity: RegistryIdentity;
}

export function identityUrl(identity: RegistryIdentity): string {
  return `${identity.scheme}://${identity.host}:${identity.port}`;
}

function identityJson(identity: RegistryIdentity): Record<string, unknown> {
  return {
    version: CURRENT_VERSION,
    host: identity.host,
    port: identity.port,
    master_eligibility: identity.leaderEligibility,
    scheme: identity.scheme,
    leader: identity.isLeader,
  };
}

export function encodeIdentity(identity: RegistryIdentity): Buffer {
  return Buffer.from(JSON.stringify(identityJson(identity)), 'utf8');
}

function parseJson(bytes: Uint8Array, what: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new CorruptDataError(`schema registry group ${what} is not JSON`, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CorruptDataError(`schema registry group ${what} is not a JSON object`);
  return parsed as Record<string, unknown>;
}

function identityFrom(o: Record<string, unknown>, what: string): RegistryIdentity {
  if (typeof o.host !== 'string' || !Number.isInteger(o.port)) throw new CorruptDataError(`schema registry group ${what} lacks host or port`, { context: { [what]: o } });
  return {
    host: o.host,
    port: o.port as number,
    scheme: typeof o.scheme === 'string' ? o.scheme : 'http',
    leaderEligibility: o.master_eligibility === true,
    isLeader: o.leader === true,
  };
}

export function decodeIdentity(bytes: Uint8Array): RegistryIdentity {
  return identityFrom(parseJson(bytes, 'member metadata'), 'member metadata');
}

export function encodeAssignment(assignment: Assignment): Buffer {
  const json: Record<string, unknown> = { version: CURRENT_VERSION, error: assignment.error };
  if (assignment.leader !== null) json.master = assignment.leader;
  if (assignment.leaderIdentity !== null) json.master_identity = identityJson(assignment.leaderIdentity);
  return Buffer.from(JSON.stringify(json), 'utf8');
}

export function decodeAssignment(bytes: Uint8Array): Assignment {
  const o = parseJson(bytes, 'assignment');
  const identity = o.master_identity;
  return {
    error: typeof o.error === 'number' ? o.error : NO_ERROR,
    leader: typeof o.master === 'string' ? o.master : null,
    leaderIdentity: identity !== null && typeof identity === 'object' ? identityFrom(identity as Record<string, unknown>, 'leader identity') : null,
  };
}

/** The assignment every member gets (Confluent's SchemaRegistryCoordinator.onLeaderElected). */
export function assignLeader(members: readonly GroupMemberInfo[], sticky: boolean): Assignment {
  let chosen: GroupMemberInfo | null = null;
  for (const m of members) {
    if (m.identity.leaderEligibility && (chosen === null || identityUrl(m.identity) < identityUrl(chosen.identity))) chosen = m;
  }
  if (sticky) {
    const incumbents = members.filter((m) => m.identity.leaderEligibility && m.identity.isLeader);
    // More than one member claiming to lead: fall back to the smallest URL.
    if (incumbents.length === 1) chosen = incumbents[0];
  }
  const urls = new Set(members.map((m) => identityUrl(m.identity)));
  return {
    error: urls.size !== members.length ? DUPLICATE_URLS : NO_ERROR,
    leader: chosen?.memberId ?? null,
    leaderIdentity: chosen?.identity ?? null,
  };
}
