/** `sluice groups`: list, describe (with lag), delete consumer groups and reset their offsets, as kafka-consumer-groups does. */
import { KafkaAdmin, topicPartitionKey } from '../client/index.ts';
import type { GroupDescription, TopicPartition, TopicPartitionOffset } from '../client/index.ts';
import { ConfigError, SluiceError, messageOf } from '../util/errors.ts';
import { COMMON_OPTIONS, clientConfig, ignoreBrokenPipe, oneAction, parseArgs, usage } from './args.ts';
import type { CommandSpec, ParsedArgs } from './args.ts';

export const GROUPS_COMMAND: CommandSpec = {
  command: 'sluice groups',
  summary: 'List, describe and delete consumer groups, and reset their offsets.',
  options: [
    ...COMMON_OPTIONS,
    { name: 'list', description: 'List all consumer groups.' },
    { name: 'describe', description: 'Describe groups: offsets and lag per partition (default), --members or --state.' },
    { name: 'delete', description: 'Delete groups that have no active members.' },
    { name: 'reset-offsets', description: 'Reset the offsets of a group that has no active members (dry run unless --execute).' },
    { name: 'group', value: 'required', repeatable: true, valueName: 'GROUP', description: 'The consumer group; repeatable.' },
    { name: 'all-groups', description: 'Apply to all consumer groups.' },
    { name: 'topic', value: 'required', repeatable: true, valueName: 'TOPIC[:P,P...]', description: 'With --reset-offsets: the topic, optionally with partitions; repeatable.' },
    { name: 'all-topics', description: 'With --reset-offsets: every topic the group has offsets for.' },
    { name: 'members', description: 'With --describe: list the members.' },
    { name: 'state', description: 'With --describe: the group state, coordinator and assignment strategy.' },
    { name: 'offsets', description: 'With --describe: offsets and lag (the default).' },
    { name: 'to-earliest', description: 'Reset to the earliest offset.' },
    { name: 'to-latest', description: 'Reset to the latest offset.' },
    { name: 'to-current', description: 'Reset to the current committed offset.' },
    { name: 'to-offset', value: 'required', valueName: 'OFFSET', description: 'Reset to this offset (kept within the log).' },
    { name: 'shift-by', value: 'required', valueName: 'N', description: 'Move the committed offset by N (may be negative).' },
    { name: 'to-datetime', value: 'required', valueName: 'YYYY-MM-DDTHH:mm:SS.sss', description: 'Reset to the first offset at or after this time (local time unless a zone is given).' },
    { name: 'by-duration', value: 'required', valueName: 'PnDTnHnMnS', description: 'Reset to the first offset at or after now minus this duration.' },
    { name: 'dry-run', description: 'Show the new offsets without applying them (the default).' },
    { name: 'execute', description: 'Apply the new offsets.' },
  ],
};

const ACTIONS = ['list', 'describe', 'delete', 'reset-offsets'] as const;
const SCENARIOS = ['to-earliest', 'to-latest', 'to-current', 'to-offset', 'shift-by', 'to-datetime', 'by-duration'] as const;
const MISSING = '-';

export interface CommandOutput {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

export async function runGroups(argv: string[], io: CommandOutput = { out: process.stdout, err: process.stderr }): Promise<number> {
  const args = parseArgs(GROUPS_COMMAND, argv);
  if (args.has('help')) {
    io.out.write(usage(GROUPS_COMMAND));
    return 0;
  }
  const action = oneAction(GROUPS_COMMAND, args, ACTIONS);
  ignoreBrokenPipe(io.out);
  const admin = new KafkaAdmin(await clientConfig(args, { defaults: { 'client.id': 'sluice-groups' } }));
  try {
    if (action === 'list') {
      for (const group of await admin.listGroups()) io.out.write(`${group.groupId}\n`);
      return 0;
    }
    const groups = await selectedGroups(admin, args);
    if (action === 'describe') return await describe(admin, args, groups, io);
    if (action === 'delete') return await remove(admin, groups, io);
    return await resetOffsets(admin, args, groups, io);
  } finally {
    await admin.close();
  }
}

async function selectedGroups(admin: KafkaAdmin, args: ParsedArgs): Promise<string[]> {
  if (args.has('all-groups') === args.has('group')) {
    throw new ConfigError(`${GROUPS_COMMAND.command}: give --group or --all-groups`, { code: 'CLI_OPTION_MISSING' });
  }
  if (args.has('all-groups')) return (await admin.listGroups()).map((g) => g.groupId);
  return args.all('group');
}

/**
 * Left-aligned columns separated by one space, each at least as wide as Kafka's tool makes it.
 * `padLast`: the last column is padded and followed by a space too, as in the --members layout.
 */
function table(rows: readonly string[][], minWidths: readonly number[], padLast = false): string {
  const widths = minWidths.map((min, i) => Math.max(min, ...rows.map((r) => r[i]?.length ?? 0)));
  const lines = rows.map((row) => row.map((cell, i) => (i === row.length - 1 && !padLast ? cell : cell.padEnd(widths[i]))).join(' ') + (padLast ? ' ' : ''));
  return `\n${lines.join('\n')}\n`;
}

function stateProblem(group: GroupDescription, hasOffsets: boolean, err: NodeJS.WritableStream): boolean {
  if (group.state === 'Dead' || (group.state === 'Empty' && !hasOffsets && group.members.length === 0 && group.protocolType === '')) {
    err.write(`\nError: Consumer group '${group.groupId}' does not exist.\n`);
    return true;
  }
  if (group.state === 'Empty') err.write(`\nConsumer group '${group.groupId}' has no active members.\n`);
  if (group.state === 'PreparingRebalance' || group.state === 'CompletingRebalance') err.write(`\nWarning: Consumer group '${group.groupId}' is rebalancing.\n`);
  return false;
}

async function describe(admin: KafkaAdmin, args: ParsedArgs, groupIds: string[], io: CommandOutput): Promise<number> {
  let failed = false;
  for (const group of await admin.describeGroups(groupIds)) {
    const offsets = await admin.listGroupOffsets(group.groupId);
    if (stateProblem(group, offsets.length > 0, io.err)) {
      failed = true;
      continue;
    }
    if (args.has('members') && !args.has('offsets')) {
      const rows = [['GROUP', 'CONSUMER-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS']];
      for (const m of group.members) rows.push([group.groupId, m.memberId, m.host, m.clientId, String(m.assignment.length)]);
      io.out.write(table(rows, [15, 15, 15, 15, 15], true));
    } else if (args.has('state') && !args.has('offsets')) {
      const coordinator = await admin.findGroupCoordinator(group.groupId);
      io.out.write(
        table(
          [
            ['GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS'],
            [group.groupId, `${coordinator.host}:${coordinator.port}  (${coordinator.nodeId})`, group.protocol || MISSING, group.state, String(group.members.length)],
          ],
          [15, 25, 20, 20, 0],
        ),
      );
    } else {
      io.out.write(table(await offsetRows(admin, group, offsets), [15, 15, 10, 15, 15, 15, 15, 15, 0]));
    }
  }
  return failed ? 1 : 0;
}

/** One row per partition a member owns or the group committed: current offset, log end offset and lag. */
async function offsetRows(admin: KafkaAdmin, group: GroupDescription, offsets: readonly TopicPartitionOffset[]): Promise<string[][]> {
  const committed = new Map(offsets.map((o) => [topicPartitionKey(o.topic, o.partition), o.offset]));
  const owners = new Map<string, { partition: TopicPartition; memberId: string; host: string; clientId: string }>();
  for (const m of group.members) for (const p of m.assignment) owners.set(topicPartitionKey(p.topic, p.partition), { partition: p, memberId: m.memberId, host: m.host, clientId: m.clientId });
  const partitions = new Map<string, TopicPartition>();
  for (const { partition } of owners.values()) partitions.set(topicPartitionKey(partition.topic, partition.partition), partition);
  for (const o of offsets) partitions.set(topicPartitionKey(o.topic, o.partition), { topic: o.topic, partition: o.partition });
  const sorted = [...partitions.values()].sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  const ends = await admin.listOffsets(sorted, 'latest');
  const rows = [['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID']];
  for (const p of sorted) {
    const key = topicPartitionKey(p.topic, p.partition);
    const current = committed.get(key);
    const end = ends.get(key);
    const owner = owners.get(key);
    rows.push([
      group.groupId,
      p.topic,
      String(p.partition),
      current === undefined ? MISSING : String(current),
      end === undefined ? MISSING : String(end),
      current === undefined || end === undefined ? MISSING : String(end - current),
      owner?.memberId ?? MISSING,
      owner?.host ?? MISSING,
      owner?.clientId ?? MISSING,
    ]);
  }
  return rows;
}

async function remove(admin: KafkaAdmin, groupIds: string[], io: CommandOutput): Promise<number> {
  const failures = await admin.deleteGroups(groupIds);
  const deleted = groupIds.filter((g) => !failures.has(g));
  if (failures.size === 0) {
    io.out.write(`Deletion of requested consumer groups (${deleted.map((g) => `'${g}'`).join(', ')}) was successful.\n`);
    return 0;
  }
  if (deleted.length > 0) io.out.write(`These consumer groups were deleted successfully: ${deleted.map((g) => `'${g}'`).join(', ')}\n`);
  io.err.write(`\nError: Deletion of some consumer groups failed:\n`);
  for (const [group, error] of failures) io.err.write(`* Group '${group}' could not be deleted due to: ${error instanceof SluiceError ? error.code : 'error'}: ${messageOf(error)}\n`);
  return 1;
}

export type ResetSpec =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'current' }
  | { kind: 'offset'; offset: bigint }
  | { kind: 'shift'; by: bigint }
  | { kind: 'timestamp'; timestamp: number };

/** What the planner needs to know per "topic-partition" key. */
export interface ResetInputs {
  committed: ReadonlyMap<string, bigint>;
  earliest: ReadonlyMap<string, bigint>;
  latest: ReadonlyMap<string, bigint>;
  /** First offset at or after the spec's timestamp (latest when none), for timestamp specs. */
  byTimestamp?: ReadonlyMap<string, bigint>;
}

/**
 * New offsets for a reset, as kafka-consumer-groups computes them: explicit offsets and shifts are
 * kept within [earliest, latest] with a warning; a shift or --to-current needs a committed offset.
 */
export function planReset(partitions: readonly TopicPartition[], spec: ResetSpec, inputs: ResetInputs, warn: (message: string) => void): TopicPartitionOffset[] {
  return partitions.map(({ topic, partition }) => {
    const key = topicPartitionKey(topic, partition);
    const earliest = inputs.earliest.get(key) ?? 0n;
    const latest = inputs.latest.get(key) ?? earliest;
    const committed = (): bigint => {
      const offset = inputs.committed.get(key);
      if (offset === undefined) {
        throw new SluiceError('NO_COMMITTED_OFFSET', `the group has no committed offset for ${key}; use an absolute reset (--to-earliest, --to-latest, --to-offset, --to-datetime)`, {
          context: { topic, partition },
        });
      }
      return offset;
    };
    const clamp = (offset: bigint): bigint => {
      if (offset < earliest) {
        warn(`New offset (${offset}) is lower than earliest offset for topic partition ${key}. Value will be set to ${earliest}`);
        return earliest;
      }
      if (offset > latest) {
        warn(`New offset (${offset}) is higher than latest offset for topic partition ${key}. Value will be set to ${latest}`);
        return latest;
      }
      return offset;
    };
    let offset: bigint;
    switch (spec.kind) {
      case 'earliest':
        offset = earliest;
        break;
      case 'latest':
        offset = latest;
        break;
      case 'current':
        offset = committed();
        break;
      case 'offset':
        offset = clamp(spec.offset);
        break;
      case 'shift':
        offset = clamp(committed() + spec.by);
        break;
      default:
        offset = inputs.byTimestamp?.get(key) ?? latest;
    }
    return { topic, partition, offset };
  });
}

/** Java's Duration.parse subset Kafka's tool documents: PnDTnHnMn.nS. */
export function parseDuration(text: string): number {
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(text.trim());
  if (!match || text.trim().toUpperCase() === 'P' || /T$/i.test(text.trim())) {
    throw new ConfigError(`--by-duration expects an ISO-8601 duration such as PT1H or P1DT2H30M, got '${text}'`, { code: 'CLI_OPTION_INVALID', context: { option: 'by-duration' } });
  }
  const [, days, hours, minutes, seconds] = match;
  return ((Number(days ?? 0) * 24 + Number(hours ?? 0)) * 60 + Number(minutes ?? 0)) * 60_000 + Math.round(Number(seconds ?? 0) * 1000);
}

/** Kafka's datetime format: YYYY-MM-DDTHH:mm:SS[.sss][zone], local time when no zone is given. */
export function parseDatetime(text: string): number {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  const time = match ? Date.parse(`${match[1]}${match[2] ?? '.000'}${match[3]?.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2') ?? ''}`) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new ConfigError(`--to-datetime expects YYYY-MM-DDTHH:mm:SS.sss (optionally with Z or +hh:mm), got '${text}'`, { code: 'CLI_OPTION_INVALID', context: { option: 'to-datetime' } });
  }
  return time;
}

function resetSpec(args: ParsedArgs, now: number): ResetSpec {
  const given = SCENARIOS.filter((s) => args.has(s));
  if (given.length !== 1) {
    throw new ConfigError(`${GROUPS_COMMAND.command}: --reset-offsets needs exactly one of ${SCENARIOS.map((s) => `--${s}`).join(', ')}`, { code: 'CLI_OPTION_MISSING' });
  }
  const integer = (name: string): bigint => {
    const raw = args.get(name)!;
    if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(`--${name} expects an integer, got '${raw}'`, { code: 'CLI_OPTION_INVALID', context: { option: name } });
    return BigInt(raw.trim());
  };
  switch (given[0]) {
    case 'to-earliest':
      return { kind: 'earliest' };
    case 'to-latest':
      return { kind: 'latest' };
    case 'to-current':
      return { kind: 'current' };
    case 'to-offset':
      return { kind: 'offset', offset: integer('to-offset') };
    case 'shift-by':
      return { kind: 'shift', by: integer('shift-by') };
    case 'to-datetime':
      return { kind: 'timestamp', timestamp: parseDatetime(args.get('to-datetime')!) };
    default:
      return { kind: 'timestamp', timestamp: now - parseDuration(args.get('by-duration')!) };
  }
}

async function resetPartitions(admin: KafkaAdmin, args: ParsedArgs, committed: readonly TopicPartitionOffset[]): Promise<TopicPartition[]> {
  if (args.has('all-topics') === args.has('topic')) throw new ConfigError(`${GROUPS_COMMAND.command}: --reset-offsets needs --topic or --all-topics`, { code: 'CLI_OPTION_MISSING' });
  if (args.has('all-topics')) return committed.map(({ topic, partition }) => ({ topic, partition }));
  const partitions: TopicPartition[] = [];
  for (const spec of args.all('topic')) {
    const colon = spec.lastIndexOf(':');
    const topic = colon === -1 ? spec : spec.slice(0, colon);
    if (colon !== -1) {
      for (const part of spec.slice(colon + 1).split(',')) {
        if (!/^\d+$/.test(part.trim())) throw new ConfigError(`--topic ${spec}: partitions must be numbers`, { code: 'CLI_OPTION_INVALID', context: { option: 'topic' } });
        partitions.push({ topic, partition: Number(part) });
      }
    } else {
      const [described] = await admin.describeTopics([topic]);
      partitions.push(...described.partitions.map((p) => ({ topic, partition: p.partition })));
    }
  }
  return partitions;
}

async function resetOffsets(admin: KafkaAdmin, args: ParsedArgs, groupIds: string[], io: CommandOutput): Promise<number> {
  const spec = resetSpec(args, Date.now());
  if (args.has('dry-run') && args.has('execute')) throw new ConfigError(`${GROUPS_COMMAND.command}: give only one of --dry-run and --execute`, { code: 'CLI_OPTION_INVALID' });
  const execute = args.has('execute');
  if (!execute && !args.has('dry-run')) io.err.write('WARN: No action will be performed as the --execute option is missing. Add --dry-run to keep this behaviour explicitly.\n');
  const rows = [['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET']];
  let failed = false;
  for (const group of await admin.describeGroups(groupIds)) {
    if (group.state !== 'Empty' && group.state !== 'Dead') {
      io.err.write(`\nError: Assignments can only be reset if the group '${group.groupId}' is inactive, but the current state is ${group.state}.\n`);
      failed = true;
      continue;
    }
    const committed = await admin.listGroupOffsets(group.groupId);
    const partitions = (await resetPartitions(admin, args, committed)).sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
    const inputs: ResetInputs = {
      committed: new Map(committed.map((o) => [topicPartitionKey(o.topic, o.partition), o.offset])),
      earliest: await admin.listOffsets(partitions, 'earliest'),
      latest: await admin.listOffsets(partitions, 'latest'),
      byTimestamp: spec.kind === 'timestamp' ? await admin.listOffsets(partitions, { timestamp: spec.timestamp }) : undefined,
    };
    const planned = planReset(partitions, spec, inputs, (message) => io.err.write(`WARN ${message}\n`));
    if (execute) await admin.alterGroupOffsets(group.groupId, planned);
    for (const p of planned) rows.push([group.groupId, p.topic, String(p.partition), String(p.offset)]);
  }
  if (rows.length > 1 || !failed) io.out.write(table(rows, [15, 15, 10, 0]));
  return failed ? 1 : 0;
}
