// @services kafka
// `sluice topics` against a real broker, compared line by line with Kafka's kafka-topics.
import { describe, expect, it } from 'vitest';
import { kafkaTool } from '../services/services.ts';
import { brokerNames, runSluice, uniqueTopic, useBroker } from './client-targets.ts';

describe.each(brokerNames())('sluice topics against %s', (broker) => {
  const bootstrap = useBroker(broker);

  it('creates a topic that kafka-topics describes exactly as sluice topics does', async () => {
    const topic = uniqueTopic('cli-topics');
    const created = await runSluice(['topics', '--bootstrap-server', bootstrap(), '--create', '--topic', topic, '--partitions', '3', '--config', 'retention.ms=1000000', '--config', 'cleanup.policy=compact']);
    expect(created, created.stderr).toMatchObject({ exitCode: 0, stdout: `Created topic ${topic}.\n` });

    const ours = await runSluice(['topics', '--bootstrap-server', bootstrap(), '--describe', '--topic', topic]);
    expect(ours.exitCode, ours.stderr).toBe(0);
    const kafkas = await kafkaTool('kafka-topics', ['--bootstrap-server', bootstrap(), '--describe', '--topic', topic], { timeoutMs: 60_000 });
    expect(kafkas.exitCode, kafkas.stderr).toBe(0);
    // Kafka's tool knows eligible leader replicas when the broker has DescribeTopicPartitions; ours says N/A.
    const withoutElr = (text: string): string => text.replace(/\tElr: [^\t]*\tLastKnownElr: [^\n]*/g, '\tElr: N/A\tLastKnownElr: N/A');
    expect(ours.stdout).toBe(withoutElr(kafkas.stdout));
    expect(ours.stdout).toContain('PartitionCount: 3');
    expect(ours.stdout).toMatch(/Configs: .*cleanup\.policy=compact/);

    const listed = await runSluice(['topics', '--bootstrap-server', bootstrap(), '--list']);
    expect(listed.stdout.split('\n')).toContain(topic);
  });

  it('alters partitions and configs, and deletes', async () => {
    const topic = uniqueTopic('cli-alter');
    expect((await runSluice(['topics', '--bootstrap-server', bootstrap(), '--create', '--topic', topic, '--partitions', '1'])).exitCode).toBe(0);
    const altered = await runSluice(['topics', '--bootstrap-server', bootstrap(), '--alter', '--topic', topic, '--partitions', '4', '--config', 'retention.ms=5000000']);
    expect(altered, altered.stderr).toMatchObject({ exitCode: 0 });
    const kafkas = await kafkaTool('kafka-topics', ['--bootstrap-server', bootstrap(), '--describe', '--topic', topic], { timeoutMs: 60_000 });
    expect(kafkas.stdout).toContain('PartitionCount: 4');
    expect(kafkas.stdout).toContain('retention.ms=5000000');

    const shrink = await runSluice(['topics', '--bootstrap-server', bootstrap(), '--alter', '--topic', topic, '--partitions', '2']);
    expect(shrink.exitCode).toBe(1);
    expect(shrink.stderr).toContain('can only be increased');

    expect((await runSluice(['topics', '--bootstrap-server', bootstrap(), '--delete', '--topic', topic])).exitCode).toBe(0);
    const gone = await runSluice(['topics', '--bootstrap-server', bootstrap(), '--describe', '--topic', topic]);
    expect(gone.exitCode).toBe(1);
    expect(gone.stderr).toContain(`Topic '${topic}' does not exist as expected`);
    expect((await runSluice(['topics', '--bootstrap-server', bootstrap(), '--delete', '--topic', topic, '--if-exists'])).exitCode).toBe(0);
  });

  it('refuses an existing topic unless --if-not-exists', async () => {
    const topic = uniqueTopic('cli-exists');
    expect((await runSluice(['topics', '--bootstrap-server', bootstrap(), '--create', '--topic', topic])).exitCode).toBe(0);
    const again = await runSluice(['topics', '--bootstrap-server', bootstrap(), '--create', '--topic', topic]);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain('TOPIC_ALREADY_EXISTS');
    expect(await runSluice(['topics', '--bootstrap-server', bootstrap(), '--create', '--topic', topic, '--if-not-exists'])).toMatchObject({ exitCode: 0, stdout: '' });
  });
});

describe('sluice topics arguments', () => {
  it('names an unknown option and the closest known ones', async () => {
    const result = await runSluice(['topics', '--bootstrap-server', '127.0.0.1:1', '--describ', '--topic', 't']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('unknown option --describ; did you mean --describe?');
  });

  it('wants exactly one action', async () => {
    const result = await runSluice(['topics', '--list', '--delete']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('give exactly one of --create, --list, --describe, --alter, --delete (got --list, --delete)');
  });
});
