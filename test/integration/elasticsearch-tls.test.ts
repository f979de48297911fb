// @services elasticsearch
// TLS, mutual TLS and authentication headers against the real Elasticsearch behind a TLS
// terminator (the test distribution runs without security): certificates come from openssl, the
// terminator records the HTTP request heads it decrypts, so the test sees exactly what the
// connector sent.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server, TLSSocket } from 'node:tls';
import { createServer } from 'node:tls';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceUrl } from '../services/services.ts';
import { TestSinkContext, countOf, esClient, records, startTask, uniqueTopic } from './elasticsearch-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'es-sink-tls-'));
const path = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

/** A key and a certificate signed by the test CA, with the extensions of `<name>.ext`. */
function issue(name: string): void {
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
}

interface Terminator {
  server: Server;
  url: string;
  heads: string[];
}

function terminator(certName: string): Promise<Terminator> {
  const target = new URL(serviceUrl('elasticsearch'));
  const heads: string[] = [];
  const server = createServer(
    { key: readFileSync(path(`${certName}.key`)), cert: readFileSync(path(`${certName}.pem`)), ca: readFileSync(path('ca.pem')), requestCert: true, rejectUnauthorized: true },
    (socket: TLSSocket) => {
      const upstream = connect(Number(target.port), target.hostname);
      socket.on('data', (chunk: Buffer) => {
        const text = chunk.toString('latin1');
        const end = text.indexOf('\r\n\r\n');
        if (/^(GET|POST|PUT|HEAD|DELETE) /.test(text) && end > 0) heads.push(text.slice(0, end));
      });
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    },
  );
  server.on('tlsClientError', () => {});
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `https://127.0.0.1:${(server.address() as { port: number }).port}`, heads })));
}

let good: Promise<Terminator> | undefined;
let misnamed: Promise<Terminator> | undefined;
let client: Client | undefined;
// Made in the tests (not in a hook), so that a missing Elasticsearch fails each test by name.
const goodServer = () => (good ??= terminator('server'));
const misnamedServer = () => (misnamed ??= terminator('other'));
const topics: string[] = [];

beforeAll(async () => {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-subj', '/CN=Sluice Test CA', '-days', '2', '-out', 'ca.pem');
  execFileSync('sh', ['-c', "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > server.ext; printf 'subjectAltName=DNS:elsewhere.test\\n' > other.ext; printf 'extendedKeyUsage=clientAuth\\n' > client.ext"], { cwd: dir });
  issue('server');
  issue('other');
  issue('client');
  openssl('pkcs12', '-export', '-inkey', 'client.key', '-in', 'client.pem', '-passout', 'pass:changeit', '-out', 'client.p12');
  execFileSync('sh', ['-c', 'cat client.key client.pem > client-bundle.pem'], { cwd: dir });
});

afterAll(async () => {
  for (const server of [good, misnamed]) (await server)?.server.close();
  if (client !== undefined) {
    for (const topic of topics) await client.indices.delete({ index: topic }, { ignore: [404] });
    await client.close();
  }
});

const tls = (url: string, more: Record<string, string> = {}) => ({
  'connection.url': url,
  'elastic.security.protocol': 'SSL',
  'elastic.https.ssl.truststore.type': 'PEM',
  'elastic.https.ssl.truststore.location': path('ca.pem'),
  'schema.ignore': 'true',
  'key.ignore': 'true',
  'max.retries': '1',
  'retry.backoff.ms': '10',
  ...more,
});

async function writeThrough(props: Record<string, string>): Promise<string> {
  const topic = uniqueTopic('tls');
  topics.push(topic);
  const task = startTask(props, new TestSinkContext([{ topic, partition: 0 }]));
  try {
    await task.put(records(topic, 3, (i) => ({ value: JSON.stringify({ i }) })));
    await task.flush([]);
  } finally {
    await task.stop();
  }
  return topic;
}

describe('Elasticsearch sink over TLS', () => {
  it('mutual TLS with a PEM trust store and a PKCS12 key store, authenticating with an API key', async () => {
    client ??= esClient();
    const server = await goodServer();
    server.heads.length = 0;
    const topic = await writeThrough(
      tls(server.url, {
        'elastic.https.ssl.keystore.type': 'PKCS12',
        'elastic.https.ssl.keystore.location': path('client.p12'),
        'elastic.https.ssl.keystore.password': 'changeit',
        'connection.api.key': 'c2x1aWNlOnNlY3JldA==',
      }),
    );
    expect(await countOf(client, topic)).toBe(3);
    expect(server.heads.some((h) => h.startsWith('POST /_bulk'))).toBe(true);
    expect(server.heads.every((h) => /\r\nauthorization: ApiKey c2x1aWNlOnNlY3JldA==/i.test(h))).toBe(true);
  });

  it('a PEM key store file and basic authentication', async () => {
    client ??= esClient();
    const server = await goodServer();
    server.heads.length = 0;
    const topic = await writeThrough(
      tls(server.url, {
        'elastic.https.ssl.keystore.type': 'PEM',
        'elastic.https.ssl.keystore.location': path('client-bundle.pem'),
        'connection.username': 'elastic',
        'connection.password': 'changeme',
      }),
    );
    expect(await countOf(client, topic)).toBe(3);
    const basic = `Basic ${Buffer.from('elastic:changeme').toString('base64')}`;
    expect(server.heads.every((h) => h.toLowerCase().includes(`\r\nauthorization: ${basic.toLowerCase()}`))).toBe(true);
  });

  it('fails with the TLS error when the server wants a client certificate and gets none', async () => {
    await expect(writeThrough(tls((await goodServer()).url))).rejects.toThrow(/Failed to check whether index 'tls-[0-9a-f]+' exists: ConnectionError/);
  });

  it('checks the server host name unless ssl.endpoint.identification.algorithm is empty', async () => {
    client ??= esClient();
    const withClientCert = { 'elastic.https.ssl.keystore.type': 'PKCS12', 'elastic.https.ssl.keystore.location': path('client.p12'), 'elastic.https.ssl.keystore.password': 'changeit' };
    const server = await misnamedServer();
    await expect(writeThrough(tls(server.url, withClientCert))).rejects.toThrow(/Hostname\/IP does not match certificate's altnames|ERR_TLS_CERT_ALTNAME_INVALID/);
    const topic = await writeThrough(tls(server.url, { ...withClientCert, 'elastic.https.ssl.endpoint.identification.algorithm': '' }));
    expect(await countOf(client, topic)).toBe(3);
  });
});
