// @services kafka
// Two `sluice registry` processes elect a leader through the group; writes sent to the follower
// are forwarded. kill -9 of the leader: the follower takes over and nothing acknowledged is lost;
// a restarted process rebuilds everything from _schemas.
import { afterEach, describe, expect, it } from 'vitest';
import { brokerNames, useBroker } from '../integration/client-targets.ts';
import { call, eventually, spawnRegistry, uniqueNames, type RegistryProcess } from '../integration/registry-harness.ts';

const processes: RegistryProcess[] = [];
afterEach(async () => {
  await Promise.allSettled(processes.splice(0).map((p) => p.kill9()));
});

// Quick failure detection so the test does not wait out Kafka's defaults.
const GROUP_TIMING = { 'kafkagroup.session.timeout.ms': '6000', 'kafkagroup.heartbeat.interval.ms': '1000' };

async function isLeader(p: RegistryProcess): Promise<boolean> {
  const metrics = (await call(p.url, 'GET', '/metrics')).text;
  return /^schema_registry_leader 1$/m.test(metrics);
}

const schemaFor = (i: number): string => JSON.stringify({ type: 'record', name: `Rec${i}`, fields: [{ name: `f${i}`, type: 'int' }] });

describe.each(brokerNames())('registry leader failover on %s', (broker) => {
  const bootstrap = useBroker(broker);

  it('forwards follower writes, survives kill -9 of the leader, and loses nothing', async () => {
    const names = uniqueNames();
    const a = await spawnRegistry(bootstrap(), names, { overrides: GROUP_TIMING });
    processes.push(a);
    const b = await spawnRegistry(bootstrap(), names, { overrides: GROUP_TIMING });
    processes.push(b);

    // Once both have joined, the member with the smallest URL leads (Confluent's rule); the
    // first to start may lead alone for a moment before that.
    const [leader, follower] = a.url < b.url ? [a, b] : [b, a];
    await eventually(async () => (await isLeader(leader)) && !(await isLeader(follower)), 30_000, 'the registry with the smallest URL to lead');

    // Writes through both; the follower forwards and then sees its own write (read-your-writes).
    const ids = new Map<string, number>();
    for (let i = 0; i < 10; i++) {
      const via = i % 2 === 0 ? leader : follower;
      const r = await call(via.url, 'POST', `/subjects/s${i}/versions`, { schema: schemaFor(i) });
      expect(r.status).toBe(200);
      ids.set(`s${i}`, (r.body as { id: number }).id);
      expect((await call(via.url, 'GET', `/subjects/s${i}/versions/latest`)).body).toMatchObject({ id: ids.get(`s${i}`) });
    }
    expect(new Set(ids.values()).size).toBe(10);

    await leader.kill9();
    processes.splice(processes.indexOf(leader), 1);

    // The follower takes over after the session timeout and accepts writes itself.
    await eventually(() => isLeader(follower), 60_000, 'the follower to become leader');
    const after = await call(follower.url, 'POST', '/subjects/after-failover/versions', { schema: schemaFor(99) });
    expect(after.status).toBe(200);
    expect((after.body as { id: number }).id).toBe(11);
    for (const [subject, id] of ids) {
      expect((await call(follower.url, 'GET', `/subjects/${subject}/versions/latest`)).body).toMatchObject({ id, version: 1 });
    }

    // A restarted registry (as follower) rebuilds all of it from the topic.
    const restarted = await spawnRegistry(bootstrap(), names, { overrides: GROUP_TIMING });
    processes.push(restarted);
    const subjects = (await call(restarted.url, 'GET', '/subjects')).body as string[];
    expect(subjects).toHaveLength(11);
    for (const [subject, id] of ids) expect((await call(restarted.url, 'GET', `/schemas/ids/${id}`)).body).toMatchObject({ schema: schemaFor(Number(subject.slice(1))) });
    // And writes through it reach the current leader.
    await eventually(async () => (await call(restarted.url, 'POST', '/subjects/late/versions', { schema: schemaFor(100) })).status === 200, 60_000, 'a write through the restarted registry');
    expect((await call(follower.url, 'GET', '/subjects/late/versions')).body).toEqual([1]);
  });

  it('a clean stop leaves the group at once and the other registry leads', async () => {
    const names = uniqueNames();
    const a = await spawnRegistry(bootstrap(), names, { overrides: GROUP_TIMING });
    processes.push(a);
    const b = await spawnRegistry(bootstrap(), names, { overrides: GROUP_TIMING });
    processes.push(b);
    const [leader, follower] = a.url < b.url ? [a, b] : [b, a];
    await eventually(async () => (await isLeader(leader)) && !(await isLeader(follower)), 30_000, 'the registry with the smallest URL to lead');
    expect((await call(follower.url, 'POST', '/subjects/x/versions', { schema: '"string"' })).status).toBe(200);
    expect(await leader.stop()).toBe(0);
    processes.splice(processes.indexOf(leader), 1);
    await eventually(() => isLeader(follower), 30_000, 'the follower to lead after a clean stop');
    expect((await call(follower.url, 'GET', '/subjects')).body).toEqual(['x']);
  });
});
