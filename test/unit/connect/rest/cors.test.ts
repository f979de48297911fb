import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { buildConnectRestApp, type CorsSettings } from '../../../../runtime/connect/rest/index.ts';
import { FakeHerder } from './fake-herder.ts';

function appWith(cors?: CorsSettings) {
  return buildConnectRestApp({ herder: new FakeHerder(), metrics: new Registry(), ...(cors ? { cors } : {}) });
}

describe('cross-origin access (access.control.allow.*)', () => {
  it('is off by default: no CORS headers, preflights are not answered', async () => {
    const app = appWith();
    const response = await app.inject({ method: 'GET', url: '/connectors', headers: { origin: 'http://ui.example' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await app.inject({ method: 'OPTIONS', url: '/connectors', headers: { origin: 'http://ui.example', 'access-control-request-method': 'POST' } });
    expect(preflight.statusCode).toBe(404);
    await app.close();
  });

  it('allows listed origins (with wildcards), and answers their preflights with the methods', async () => {
    const app = appWith({ allowOrigin: 'http://ui.example, https://*.corp.example', allowMethods: 'GET,POST,PUT,DELETE' });
    const simple = await app.inject({ method: 'GET', url: '/connectors', headers: { origin: 'https://console.corp.example' } });
    expect(simple.headers['access-control-allow-origin']).toBe('https://console.corp.example');
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/connectors/x/config',
      headers: { origin: 'http://ui.example', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers).toMatchObject({
      'access-control-allow-origin': 'http://ui.example',
      'access-control-allow-methods': 'GET,POST,PUT,DELETE',
      'access-control-allow-headers': 'content-type',
    });
    const other = await app.inject({ method: 'GET', url: '/connectors', headers: { origin: 'http://evil.example' } });
    expect(other.statusCode).toBe(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    await app.close();
  });

  it('"*" allows any origin, with Kafka\'s default methods', async () => {
    const app = appWith({ allowOrigin: '*' });
    const preflight = await app.inject({ method: 'OPTIONS', url: '/connectors', headers: { origin: 'http://a.example', 'access-control-request-method': 'POST' } });
    expect(preflight.headers['access-control-allow-origin']).toBe('http://a.example');
    expect(preflight.headers['access-control-allow-methods']).toBe('GET,POST,HEAD');
    await app.close();
  });
});
