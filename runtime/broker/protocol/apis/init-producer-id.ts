import type { MessageOf, MessageSpec } from '../schema.ts';

/** InitProducerId (api key 22). v2+ flexible, v3+ epoch bump of an existing producer id. */
export const initProducerIdRequest = {
  name: 'InitProducerIdRequest',
  apiKey: 22,
  type: 'request',
  validVersions: '0-5',
  flexibleVersions: '2+',
  fields: [
    { name: 'transactionalId', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'transactionTimeoutMs', type: 'int32', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '3+', default: -1 },
    { name: 'producerEpoch', type: 'int16', versions: '3+', default: -1 },
  ],
} as const satisfies MessageSpec;

export const initProducerIdResponse = {
  name: 'InitProducerIdResponse',
  apiKey: 22,
  type: 'response',
  validVersions: '0-5',
  flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+', default: -1 },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
  ],
} as const satisfies MessageSpec;

export type InitProducerIdRequest = MessageOf<typeof initProducerIdRequest>;
export type InitProducerIdResponse = MessageOf<typeof initProducerIdResponse>;
