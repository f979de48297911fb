import type { MessageOf, MessageSpec } from '../schema.ts';

/** DeleteTopics (api key 20). v4+ flexible, v5 error messages, v6 topics by name or id. */
export const deleteTopicsRequest = {
  name: 'DeleteTopicsRequest',
  apiKey: 20,
  type: 'request',
  validVersions: '0-6',
  flexibleVersions: '4+',
  fields: [
    {
      name: 'topics',
      type: '[]DeleteTopicState',
      versions: '6+',
      fields: [
        { name: 'name', type: 'string', versions: '6+', nullableVersions: '6+', default: null },
        { name: 'topicId', type: 'uuid', versions: '6+' },
      ],
    },
    { name: 'topicNames', type: '[]string', versions: '0-5' },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
  ],
} as const satisfies MessageSpec;

export const deleteTopicsResponse = {
  name: 'DeleteTopicsResponse',
  apiKey: 20,
  type: 'response',
  validVersions: '0-6',
  flexibleVersions: '4+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    {
      name: 'responses',
      type: '[]DeletableTopicResult',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+', nullableVersions: '6+' },
        { name: 'topicId', type: 'uuid', versions: '6+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type DeleteTopicsRequest = MessageOf<typeof deleteTopicsRequest>;
export type DeleteTopicsResponse = MessageOf<typeof deleteTopicsResponse>;
