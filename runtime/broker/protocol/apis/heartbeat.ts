import type { MessageOf, MessageSpec } from '../schema.ts';

/** Heartbeat (api key 12). v3 static membership, v4 flexible. */
export const heartbeatRequest = {
  name: 'HeartbeatRequest',
  apiKey: 12,
  type: 'request',
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'generationId', type: 'int32', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0+' },
    { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
  ],
} as const satisfies MessageSpec;

export const heartbeatResponse = {
  name: 'HeartbeatResponse',
  apiKey: 12,
  type: 'response',
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
  ],
} as const satisfies MessageSpec;

export type HeartbeatRequest = MessageOf<typeof heartbeatRequest>;
export type HeartbeatResponse = MessageOf<typeof heartbeatResponse>;
