import net from 'node:net';
import os from 'node:os';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { advertisedUrl, parseListeners } from '../../../../runtime/connect/rest/listeners.ts';
import { restServerSettings, startRestServer } from '../../../../runtime/connect/rest/index.ts';
import { parseWorkerConfig } from '../../../../runtime/connect/worker/worker-config.ts';
import { ConfigError } from '../../../../runtime/util/errors.ts';
import { FakeHerder } from './fake-herder.ts';

const WORKER = {
  'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
  'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
  'offset.storage.file.filename': '/tmp/offsets.json',
};

describe('listeners', () => {
  it('parses http listeners; an empty host means all interfaces, as in Kafka', () => {
    expect(parseListeners(['http://127.0.0.1:8083', ' http://:8084 ', 'http://[::1]:0/'], 'listeners')).toEqual([
      { text: 'http://127.0.0.1:8083', host: '127.0.0.1', port: 8083 },
      { text: 'http://:8084', host: '0.0.0.0', port: 8084 },
      { text: 'http://[::1]:0/', host: '::1', port: 0 },
    ]);
  });

  it('refuses https, malformed entries and ports out of range, naming the key', () => {
    expect(() => parseListeners(['https://0.0.0.0:8443'], 'listeners')).toThrow(/listeners: "https:\/\/0\.0\.0\.0:8443" is an https listener/);
    expect(() => parseListeners(['localhost:8083'], 'admin.listeners')).toThrow(/admin\.listeners: "localhost:8083" is not a listener URL/);
    expect(() => parseListeners(['http://h:70000'], 'listeners')).toThrow(ConfigError);
  });

  it('advertises rest.advertised.* over the first listener, and this host for a wildcard', () => {
    expect(advertisedUrl({ host: '127.0.0.1', port: 8083 })).toBe('http://127.0.0.1:8083');
    expect(advertisedUrl({ host: '0.0.0.0', port: 8083 })).toBe(`http://${os.hostname()}:8083`);
    expect(advertisedUrl({ host: '::1', port: 1 }, { hostName: 'connect-1.example', port: 443, listener: 'https' })).toBe('https://connect-1.example:443');
  });

  it('takes its settings from the worker config: loopback by default', () => {
    const settings = restServerSettings(parseWorkerConfig(WORKER).config);
    expect(settings).toEqual({
      listeners: ['http://127.0.0.1:8083'],
      adminListeners: null,
      advertised: { listener: null, hostName: null, port: null },
      cors: { allowOrigin: '', allowMethods: '' },
    });
    const exposed = restServerSettings(
      parseWorkerConfig({ ...WORKER, listeners: 'http://0.0.0.0:8083', 'admin.listeners': '', 'rest.advertised.host.name': 'w1', 'access.control.allow.origin': '*' }).config,
    );
    expect(exposed.cors?.allowOrigin).toBe('*');
    expect(exposed.listeners).toEqual(['http://0.0.0.0:8083']);
    expect(exposed.adminListeners).toEqual([]);
    expect(exposed.advertised?.hostName).toBe('w1');
  });
});

describe('startRestServer', () => {
  const options = () => ({ herder: new FakeHerder(), metrics: new Registry() });

  it('serves on a free port and closes', async () => {
    const server = await startRestServer({ ...options(), listeners: ['http://127.0.0.1:0'] });
    try {
      expect(server.urls).toHaveLength(1);
      expect(server.urls[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server.advertisedUrl).toBe(server.urls[0]);
      const response = await fetch(`${server.urls[0]}/admin/loggers`);
      expect(response.status).toBe(200);
      expect(await (await fetch(`${server.urls[0]}/connectors`)).json()).toEqual([]);
    } finally {
      await server.close();
    }
    await expect(fetch(`${server.urls[0]}/connectors`)).rejects.toThrow();
  });

  it('serves /admin only on admin.listeners when they are set, and nowhere when empty', async () => {
    const split = await startRestServer({ ...options(), listeners: ['http://127.0.0.1:0'], adminListeners: ['http://127.0.0.1:0'] });
    try {
      expect((await fetch(`${split.urls[0]}/admin/loggers`)).status).toBe(404);
      expect((await fetch(`${split.adminUrls[0]}/admin/loggers`)).status).toBe(200);
      expect((await fetch(`${split.adminUrls[0]}/connectors`)).status).toBe(404);
    } finally {
      await split.close();
    }
    const none = await startRestServer({ ...options(), listeners: ['http://127.0.0.1:0'], adminListeners: [] });
    try {
      expect(none.adminUrls).toEqual([]);
      expect((await fetch(`${none.urls[0]}/admin/loggers`)).status).toBe(404);
    } finally {
      await none.close();
    }
  });

  it('a taken port is a ConfigError naming the key, and nothing stays listening', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const attempt = startRestServer({ ...options(), listeners: ['http://127.0.0.1:0'], adminListeners: [`http://127.0.0.1:${port}`] });
      await expect(attempt).rejects.toThrow(`admin.listeners: cannot listen on http://127.0.0.1:${port} (the port is already in use)`);
      await expect(attempt).rejects.toMatchObject({ code: 'LISTENER_UNAVAILABLE', context: { key: 'admin.listeners' } });
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('refuses an empty listener list', async () => {
    await expect(startRestServer({ ...options(), listeners: [] })).rejects.toThrow(/listeners is empty/);
  });

  it('survives a client that sends a truncated body', async () => {
    const server = await startRestServer({ ...options(), listeners: ['http://127.0.0.1:0'] });
    try {
      const { port } = new URL(server.urls[0]);
      await new Promise<void>((resolve, reject) => {
        const socket = net.connect(Number(port), '127.0.0.1', () => {
          socket.end('PUT /connectors/a/config HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"conn');
        });
        socket.on('error', reject);
        socket.on('close', () => resolve());
        socket.resume();
      });
      expect((await fetch(`${server.urls[0]}/connectors`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
