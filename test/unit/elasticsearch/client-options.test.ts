import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clientOptions, nodeUrls } from '../../../connectors/elasticsearch/client-options.ts';
import { parseSinkConfig } from '../../../connectors/elasticsearch/config.ts';
import { tlsOptions } from '../../../connectors/elasticsearch/tls-options.ts';

const dir = mkdtempSync(join(tmpdir(), 'es-tls-'));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const config = (props: Record<string, string>) => parseSinkConfig({ 'connection.url': 'https://es:9200', ...props });

describe('client options', () => {
  it('turns every URL into https when one is, and adds http to bare host:port', () => {
    expect(nodeUrls(['es1:9200', 'http://es2:9200/'])).toEqual(['http://es1:9200', 'http://es2:9200']);
    expect(nodeUrls(['http://es1:9200', 'https://es2:9200'])).toEqual(['https://es1:9200', 'https://es2:9200']);
  });

  it('sets timeouts, compression and no client-side retries', () => {
    const options = clientOptions(config({ 'read.timeout.ms': '9000', 'connection.timeout.ms': '250', 'connection.compression': 'true', 'max.connection.idle.time.ms': '5000' }));
    expect(options).toMatchObject({ maxRetries: 0, requestTimeout: 9000, compression: true, agent: { connect: { timeout: 250 }, keepAliveTimeout: 5000 } });
    expect(options.auth).toBeUndefined();
  });

  it('authenticates with basic credentials or an API key', () => {
    expect(clientOptions(config({ 'connection.username': 'u', 'connection.password': 'p' })).auth).toEqual({ username: 'u', password: 'p' });
    expect(clientOptions(config({ 'connection.api.key': 'aWQ6a2V5' })).auth).toEqual({ apiKey: 'aWQ6a2V5' });
  });
});

describe('TLS options', () => {
  const ssl = { 'elastic.security.protocol': 'SSL' };

  it('reads a PEM trust store and a PKCS12 key store', () => {
    const options = tlsOptions(
      config({
        ...ssl,
        'elastic.https.ssl.truststore.type': 'PEM',
        'elastic.https.ssl.truststore.location': file('ca.pem', 'CA'),
        'elastic.https.ssl.keystore.type': 'PKCS12',
        'elastic.https.ssl.keystore.location': file('client.p12', 'P12'),
        'elastic.https.ssl.keystore.password': 'secret',
      }),
    );
    expect(options.ca?.toString()).toBe('CA');
    expect(options.pfx?.toString()).toBe('P12');
    expect(options.passphrase).toBe('secret');
    expect(options).toMatchObject({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' });
    expect(options.checkServerIdentity).toBeUndefined();
  });

  it('takes inline PEM keys and certificates, and can skip the host name check', () => {
    const options = tlsOptions(
      config({
        ...ssl,
        'elastic.https.ssl.truststore.type': 'PEM',
        'elastic.https.ssl.truststore.certificates': 'CA-INLINE',
        'elastic.https.ssl.keystore.type': 'PEM',
        'elastic.https.ssl.keystore.key': 'KEY',
        'elastic.https.ssl.keystore.certificate.chain': 'CHAIN',
        'elastic.https.ssl.endpoint.identification.algorithm': '',
        'elastic.https.ssl.enabled.protocols': 'TLSv1.3',
      }),
    );
    expect(options).toMatchObject({ ca: 'CA-INLINE', key: 'KEY', cert: 'CHAIN', minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });
    expect(options.checkServerIdentity?.('host', {} as never)).toBeUndefined();
  });

  it('refuses Java key stores and unreadable files with the key and the fix', () => {
    expect(() => tlsOptions(config({ ...ssl, 'elastic.https.ssl.truststore.location': file('t.jks', 'x') }))).toThrow(/elastic.https.ssl.truststore.type.*keytool -exportcert/);
    expect(() => tlsOptions(config({ ...ssl, 'elastic.https.ssl.keystore.location': file('k.jks', 'x') }))).toThrow(/keytool -importkeystore/);
    expect(() => tlsOptions(config({ ...ssl, 'elastic.https.ssl.truststore.type': 'PEM', 'elastic.https.ssl.truststore.location': join(dir, 'missing.pem') }))).toThrow(
      /elastic.https.ssl.truststore.location: cannot read the file/,
    );
    expect(() => tlsOptions(config({ ...ssl, 'elastic.https.ssl.keystore.type': 'PEM', 'elastic.https.ssl.keystore.key': 'KEY' }))).toThrow(/needs elastic.https.ssl.keystore.certificate.chain/);
  });

  it('passes TLS options to the client, with the connect timeout', () => {
    const options = clientOptions(config({ ...ssl, 'elastic.https.ssl.truststore.type': 'PEM', 'elastic.https.ssl.truststore.certificates': 'CA', 'connection.timeout.ms': '700' }));
    expect(options.tls).toMatchObject({ ca: 'CA', timeout: 700 });
  });
});
