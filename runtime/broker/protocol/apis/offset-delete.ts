import type { MessageOf, MessageSpec } from '../schema.ts';

/** OffsetDelete (api key 47): drops a group's committed offsets for some partitions. Only v0, never flexible. */
export const offsetDeleteRequest = {
  name: 'OffsetDeleteRequest',
  apiKey: 47,
  type: 'request',
  validVersions: '0',
  flexibleVersions: 'none',
  fields: [
    { name: 'groupId', type: 'string', versions: '0+' },
    {
      name: 'topics',
      type: '[]OffsetDeleteRequestTopic',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        {
          name: 'partitions',
          type: '[]OffsetDeleteRequestPartition',
          versions: '0+',
          fields: [{ name: 'partitionIndex', type: 'int32', versions: '0+' }],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export const offsetDeleteResponse = {
  name: 'OffsetDeleteResponse',
  apiKey: 47,
  type: 'response',
  validVersions: '0',
  flexibleVersions: 'none',
  fields: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'topics',
      type: '[]OffsetDeleteResponseTopic',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        {
          name: 'partitions',
          type: '[]OffsetDeleteResponsePartition',
          versions: '0+',
          fields: [
            { name: 'partitionIndex', type: 'int32', versions: '0+' },
            { name: 'errorCode', type: 'int16', versions: '0+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type OffsetDeleteRequest = MessageOf<typeof offsetDeleteRequest>;
export type OffsetDeleteResponse = MessageOf<typeof offsetDeleteResponse>;
