// @services kafka
// `sluice groups` against a real broker, compared with Kafka's kafka-consumer-groups.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaConsumer } from '../../runtime/client/index.ts';
import { kafkaTool } from '../services/services.ts';
import { brokerNames, runSluice, uniqueTopic, useBroker } from './client-targets.ts';

/** Output lines that carry data, in a stable order (Kafka prints partitions in hash order). */
const lines = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '').sort();

describe.each(brokerNames())('sluice groups against %s', (broker) => {
  const bootstrap = useBroker(broker);
  const topic = uniqueTopic('cli-groups');
  const group = uniqueTopic('cli-groups-g');
  const kafkaGroups = (args: string[]) => kafkaTool('kafka-consumer-groups', ['--bootstrap-server', bootstrap(), ...args], { timeoutMs: 60_000 });
  const sluiceGroups = (args: string[]) => runSluice(['groups', '--bootstrap-server', bootstrap(), ...args]);

  beforeAll(async () => {
    expect((await runSluice(['topics', '--bootstrap-server', bootstrap(), '--create', '--topic', topic, '--partitions', '3'])).exitCode).toBe(0);
    const input = Array.from({ length: 12 }, (_, i) => `key${i}:value${i}`).join('\n');
    expect((await runSluice(['produce', '--bootstrap-server', bootstrap(), '--topic', topic, '--property', 'parse.key=true', '--property', 'key.separator=:'], { input })).exitCode).toBe(0);
    const consumed = await runSluice(['consume', '--bootstrap-server', bootstrap(), '--topic', topic, '--group', group, '--from-beginning', '--max-messages', '12', '--timeout-ms', '30000']);
    expect(consumed.exitCode, consumed.stderr).toBe(0);
  });

  it('lists the group and describes its offsets and lag exactly as kafka-consumer-groups', async () => {
    expect(lines((await sluiceGroups(['--list'])).stdout)).toContain(group);
    const ours = await sluiceGroups(['--describe', '--group', group]);
    const java = await kafkaGroups(['--describe', '--group', group]);
    expect(ours.exitCode, ours.stderr).toBe(0);
    expect(lines(ours.stdout)).toEqual(lines(java.stdout));
    expect(lines(ours.stdout)).toHaveLength(4);
    expect(ours.stderr).toContain(`Consumer group '${group}' has no active members.`);
  });

  it('plans resets like kafka-consumer-groups and applies them with --execute', async () => {
    for (const scenario of [['--to-earliest'], ['--to-latest'], ['--shift-by', '-2'], ['--to-offset', '1000'], ['--to-datetime', '2000-01-01T00:00:00.000'], ['--by-duration', 'PT1H']]) {
      const args = ['--reset-offsets', '--group', group, '--topic', topic, ...scenario, '--dry-run'];
      const ours = await sluiceGroups(args);
      const java = await kafkaGroups(args);
      expect(ours.exitCode, ours.stderr).toBe(0);
      expect(lines(ours.stdout), scenario.join(' ')).toEqual(lines(java.stdout));
    }
    const before = lines((await kafkaGroups(['--describe', '--group', group])).stdout);
    const executed = await sluiceGroups(['--reset-offsets', '--group', group, '--all-topics', '--shift-by', '-1', '--execute']);
    expect(executed.exitCode, executed.stderr).toBe(0);
    const after = lines((await kafkaGroups(['--describe', '--group', group])).stdout);
    const current = (rows: string[]): number[] => rows.filter((r) => r.startsWith(group)).map((r) => Number(r.split(/\s+/)[3]));
    expect(current(after)).toEqual(current(before).map((o) => Math.max(0, o - 1)));
  });

  describe('while a member is active', () => {
    let member: KafkaConsumer;
    beforeAll(async () => {
      member = new KafkaConsumer({ 'bootstrap.servers': bootstrap(), 'group.id': group, 'client.id': 'cli-groups-member', 'session.timeout.ms': '10000', 'heartbeat.interval.ms': '500' });
      await member.subscribe([topic]);
      const deadline = Date.now() + 30_000;
      while (member.assignment().length < 3 && Date.now() < deadline) await member.poll(200);
    });
    afterAll(async () => {
      await member.close();
    });

    it('shows the member like kafka-consumer-groups, and refuses to reset or delete', async () => {
      const ours = await sluiceGroups(['--describe', '--group', group]);
      const java = await kafkaGroups(['--describe', '--group', group]);
      expect(lines(ours.stdout)).toEqual(lines(java.stdout));
      expect(ours.stdout).toContain(member.membership()!.memberId!);
      const members = await sluiceGroups(['--describe', '--group', group, '--members']);
      expect(lines(members.stdout)).toEqual(lines((await kafkaGroups(['--describe', '--group', group, '--members'])).stdout));

      const reset = await sluiceGroups(['--reset-offsets', '--group', group, '--topic', topic, '--to-earliest', '--execute']);
      expect(reset.exitCode).toBe(1);
      expect(reset.stderr).toContain(`Assignments can only be reset if the group '${group}' is inactive, but the current state is Stable.`);
      const deleted = await sluiceGroups(['--delete', '--group', group]);
      expect(deleted.exitCode).toBe(1);
      expect(deleted.stderr).toContain(`Group '${group}' could not be deleted due to: NON_EMPTY_GROUP`);
    });
  });

  it('deletes the group once it is empty', async () => {
    const deleted = await sluiceGroups(['--delete', '--group', group]);
    expect(deleted, deleted.stderr).toMatchObject({ exitCode: 0, stdout: `Deletion of requested consumer groups ('${group}') was successful.\n` });
    expect(lines((await kafkaGroups(['--list'])).stdout)).not.toContain(group);
    const missing = await sluiceGroups(['--describe', '--group', group]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain(`Consumer group '${group}' does not exist.`);
  });
});
