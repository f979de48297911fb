// Bad input at the Sluice broker's socket: garbage bytes, truncated frames, a 2 GiB length
// prefix, unknown API keys and versions, and 1,000 connections opened and dropped. Each bad
// connection is closed with a logged reason; the broker stays up and keeps serving a client that
// was connected all along and clients that connect afterwards.
import { randomBytes, randomUUID } from 'node:crypto';
import net from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKey, ErrorCode, decodeResponse } from '../../runtime/broker/protocol/index.ts';
import { RawKafkaConnection, startInProcessBroker } from '../compat/broker-harness.ts';
import type { InProcessBroker } from '../compat/broker-harness.ts';

function frame(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

/** apiKey, apiVersion, correlationId, clientId "t" — a request header v1 with whatever body follows. */
function header(apiKey: number, apiVersion: number, correlationId = 7): Buffer {
  const b = Buffer.alloc(11);
  b.writeInt16BE(apiKey, 0);
  b.writeInt16BE(apiVersion, 2);
  b.writeInt32BE(correlationId, 4);
  b.writeInt16BE(1, 8);
  b.write('t', 10);
  return b;
}

describe('Sluice broker under bad input', () => {
  let b: InProcessBroker;
  const logs: string[] = [];
  let healthy: RawKafkaConnection;

  const closeReasons = (): string[] => logs.filter((l) => l.includes('"msg":"closing connection"')).map((l) => (JSON.parse(l) as { reason: string }).reason);

  async function expectBrokerServes(): Promise<void> {
    const answer = await healthy.request(ApiKey.Metadata, 9, { topics: [], allowAutoTopicCreation: false });
    expect((answer.body.brokers as unknown[]).length).toBe(1);
    const fresh = await RawKafkaConnection.connect(b.bootstrap);
    const versions = await fresh.request(ApiKey.ApiVersions, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' });
    expect(versions.body.errorCode).toBe(ErrorCode.NONE);
    fresh.close();
  }

  async function sendAndExpectClose(bytes: Buffer): Promise<RawKafkaConnection> {
    const conn = await RawKafkaConnection.connect(b.bootstrap);
    conn.writeRaw(bytes);
    await conn.waitClosed();
    return conn;
  }

  beforeAll(async () => {
    b = await startInProcessBroker({ onLog: (line) => logs.push(line) });
    healthy = await RawKafkaConnection.connect(b.bootstrap);
  });
  afterAll(async () => {
    healthy?.close();
    await b?.destroy();
  });

  it('closes a connection that sends garbage and keeps serving others', async () => {
    const garbage = randomBytes(4096);
    garbage.writeInt32BE(-12345, 0); // a negative size prefix, so the garbage can never parse as a frame
    await sendAndExpectClose(garbage);
    expect(closeReasons().some((r) => r.includes('negative'))).toBe(true);
    // Garbage that happens to frame correctly: a header that does not parse.
    await sendAndExpectClose(frame(Buffer.from([0, 3, 0])));
    expect(closeReasons().some((r) => r.includes('shorter than the 8-byte'))).toBe(true);
    await expectBrokerServes();
  });

  it('closes a connection whose request body is truncated inside its frame', async () => {
    // Metadata v9 header and the start of a topics array that claims 5 entries but ends.
    const body = Buffer.concat([header(ApiKey.Metadata, 9), Buffer.from([0]), Buffer.from([6])]);
    await sendAndExpectClose(frame(body));
    expect(closeReasons().some((r) => r.includes('malformed MetadataRequest v9'))).toBe(true);
    await expectBrokerServes();
  });

  it('survives a frame cut off by the client disconnecting mid-frame', async () => {
    const conn = await RawKafkaConnection.connect(b.bootstrap);
    const full = frame(Buffer.concat([header(ApiKey.ApiVersions, 0), Buffer.alloc(100)]));
    conn.writeRaw(full.subarray(0, 30));
    await new Promise((resolve) => setTimeout(resolve, 50));
    conn.close();
    await expectBrokerServes();
  });

  it('refuses a 2 GiB length prefix at once, without waiting for or buffering the bytes', async () => {
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(0x7fffffff);
    const before = process.memoryUsage().rss;
    await sendAndExpectClose(prefix);
    expect(closeReasons().some((r) => r.includes('exceeds the maximum of 104857600 bytes'))).toBe(true);
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 1024 * 1024);
    await expectBrokerServes();
  });

  it('closes on unknown api keys and on unsupported versions, but answers a too-new ApiVersions in v0', async () => {
    await sendAndExpectClose(frame(header(9999, 0)));
    expect(closeReasons().some((r) => r.includes('unknown api key 9999'))).toBe(true);
    await sendAndExpectClose(frame(header(68, 1))); // ConsumerGroupHeartbeat: a real Kafka key this broker does not serve
    await sendAndExpectClose(frame(header(ApiKey.Metadata, 99)));
    expect(closeReasons().some((r) => r.includes('Metadata v99 is not supported'))).toBe(true);

    const conn = await RawKafkaConnection.connect(b.bootstrap);
    conn.writeRaw(frame(Buffer.concat([header(ApiKey.ApiVersions, 99, 4242), Buffer.from([0, 0, 0])])));
    const answer = await conn.nextFrame();
    expect(answer).toBeDefined();
    const decoded = decodeResponse(answer as Buffer, ApiKey.ApiVersions, 0);
    expect(decoded.correlationId).toBe(4242);
    expect(decoded.body.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    const keys = decoded.body.apiKeys as { apiKey: number; minVersion: number; maxVersion: number }[];
    expect(keys.find((k) => k.apiKey === ApiKey.ApiVersions)).toEqual({ apiKey: 18, minVersion: 0, maxVersion: 4 });
    // The connection stays usable: the client retries with a version we support.
    const retried = await conn.request(ApiKey.ApiVersions, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' });
    expect(retried.body.errorCode).toBe(ErrorCode.NONE);
    conn.close();
    await expectBrokerServes();
  });

  it('keeps serving while 1,000 connections are opened and dropped', async () => {
    const [host, port] = b.bootstrap.split(':');
    const opened: Promise<void>[] = [];
    for (let i = 0; i < 1000; i++) {
      opened.push(
        new Promise<void>((resolve) => {
          const s = net.connect({ host, port: Number(port) }, () => {
            // Half of them leave a partial frame behind before dropping.
            if (i % 2 === 0) s.write(Buffer.from([0, 0, 0, 50, 0, 18]));
            s.destroy();
            resolve();
          });
          s.on('error', () => resolve());
        }),
      );
      if (i % 100 === 99) await expectBrokerServes();
    }
    await Promise.all(opened);
    await expectBrokerServes();

    // And a real client still produces and consumes.
    const kafka = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
    const topic = `after-abuse-${randomUUID()}`;
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'k', value: 'still here' }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: `g-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const value = await new Promise<string>((resolve) => {
      void consumer.run({ eachMessage: async ({ message }) => resolve(message.value!.toString()) });
    });
    await consumer.disconnect();
    expect(value).toBe('still here');
  });
});
