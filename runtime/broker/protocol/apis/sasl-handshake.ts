import type { MessageOf, MessageSpec } from '../schema.ts';

/** SaslHandshake (api key 17). Advertised for old librdkafka feature detection; never flexible. */
export const saslHandshakeRequest = {
  name: 'SaslHandshakeRequest',
  apiKey: 17,
  type: 'request',
  validVersions: '0-1',
  flexibleVersions: 'none',
  fields: [{ name: 'mechanism', type: 'string', versions: '0+' }],
} as const satisfies MessageSpec;

export const saslHandshakeResponse = {
  name: 'SaslHandshakeResponse',
  apiKey: 17,
  type: 'response',
  validVersions: '0-1',
  flexibleVersions: 'none',
  fields: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'mechanisms', type: '[]string', versions: '0+' },
  ],
} as const satisfies MessageSpec;

export type SaslHandshakeRequest = MessageOf<typeof saslHandshakeRequest>;
export type SaslHandshakeResponse = MessageOf<typeof saslHandshakeResponse>;
