// @services kafka
// A registry stopped while its leader elector is still connecting to the group coordinator must
// not leave that connection open: an open socket keeps `sluice registry` alive after SIGTERM.
// The close is triggered at that exact moment through the Kafka client's diagnostics channel.
import { randomUUID } from 'node:crypto';
import { connectionsConnectsChannel, type Connection } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { LeaderElector } from '../../schema-registry/store/leader-elector.ts';
import { brokerNames, useBroker } from './client-targets.ts';
import { eventually } from './registry-harness.ts';

describe.each(brokerNames())('registry leader elector on %s', (broker) => {
  const bootstrap = useBroker(broker);

  it('closed while connecting to the coordinator, it closes that connection too', async () => {
    const elector = new LeaderElector({
      bootstrapServers: [bootstrap()],
      groupId: `schema-registry-${randomUUID()}`,
      identity: { scheme: 'http', host: '127.0.0.1', port: 1, leaderEligibility: true, isLeader: false },
      onChange: () => undefined,
    });
    // The elector's first connection finds the coordinator; its second is the coordinator's.
    const seen: Connection[] = [];
    let coordinator: Connection | undefined;
    let closing: Promise<void> | undefined;
    const onConnect = (message: unknown): void => {
      const connection = (message as { connection: Connection }).connection;
      if (seen.includes(connection)) return;
      seen.push(connection);
      if (seen.length !== 2) return;
      coordinator = connection;
      // Right after connect() has started the socket, before it is connected.
      queueMicrotask(() => (closing = elector.close()));
    };
    connectionsConnectsChannel.start.subscribe(onConnect);
    try {
      void elector.start();
      await eventually(async () => closing !== undefined, 30_000, 'the elector to connect to its coordinator');
      await closing;
    } finally {
      connectionsConnectsChannel.start.unsubscribe(onConnect);
    }
    expect(coordinator).toBeDefined();
    await eventually(async () => coordinator?.status === 'closed' || coordinator?.status === 'error', 10_000, 'the coordinator connection to be closed');
    expect(coordinator?.socket?.destroyed ?? true).toBe(true);
  });
});
