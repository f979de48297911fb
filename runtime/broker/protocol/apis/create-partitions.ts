import type { MessageOf, MessageSpec } from '../schema.ts';

/** CreatePartitions (api key 37): raises a topic's partition count. v2+ flexible. */
export const createPartitionsRequest = {
  name: 'CreatePartitionsRequest',
  apiKey: 37,
  type: 'request',
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: [
    {
      name: 'topics',
      type: '[]CreatePartitionsTopic',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'count', type: 'int32', versions: '0+' },
        {
          name: 'assignments',
          type: '[]CreatePartitionsAssignment',
          versions: '0+',
          nullableVersions: '0+',
          fields: [{ name: 'brokerIds', type: '[]int32', versions: '0+' }],
        },
      ],
    },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
    { name: 'validateOnly', type: 'bool', versions: '0+' },
  ],
} as const satisfies MessageSpec;

export const createPartitionsResponse = {
  name: 'CreatePartitionsResponse',
  apiKey: 37,
  type: 'response',
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'results',
      type: '[]CreatePartitionsTopicResult',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type CreatePartitionsRequest = MessageOf<typeof createPartitionsRequest>;
export type CreatePartitionsResponse = MessageOf<typeof createPartitionsResponse>;
