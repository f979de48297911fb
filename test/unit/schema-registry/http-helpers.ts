// Shared by the HTTP unit tests: a registry app over the in-memory store, driven with inject.
import { buildRegistryApp } from '../../../schema-registry/http/app.ts';
import { MemoryRegistryStore } from '../../../schema-registry/store/memory-store.ts';

export const V1 = 'application/vnd.schemaregistry.v1+json';

export interface Answer {
  status: number;
  type: string | undefined;
  body: unknown;
  text: string;
}

export function registryUnderTest(options: { bodyLimit?: number } = {}) {
  const store = new MemoryRegistryStore();
  const { app } = buildRegistryApp({ store, bodyLimit: options.bodyLimit });
  const call = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const r = await app.inject({ method: method as 'GET', url, payload, headers: { 'content-type': V1, ...headers } });
    let parsed: unknown = undefined;
    try {
      parsed = r.body === '' ? undefined : JSON.parse(r.body);
    } catch {
      parsed = r.body;
    }
    return { status: r.statusCode, type: r.headers['content-type'] as string | undefined, body: parsed, text: r.body };
  };
  return { app, store, call };
}

export const avroRecord = (fields: object[], name = 'User'): string => JSON.stringify({ type: 'record', name, namespace: 'com.example', fields });
