import type { MessageOf, MessageSpec } from '../schema.ts';

/** DeleteRecords (api key 21): moves log start offsets forward. v2 flexible. */
export const deleteRecordsRequest = {
  name: 'DeleteRecordsRequest',
  apiKey: 21,
  type: 'request',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    {
      name: 'topics',
      type: '[]DeleteRecordsTopic',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        {
          name: 'partitions',
          type: '[]DeleteRecordsPartition',
          versions: '0+',
          fields: [
            { name: 'partitionIndex', type: 'int32', versions: '0+' },
            { name: 'offset', type: 'int64', versions: '0+' },
          ],
        },
      ],
    },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
  ],
} as const satisfies MessageSpec;

export const deleteRecordsResponse = {
  name: 'DeleteRecordsResponse',
  apiKey: 21,
  type: 'response',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'topics',
      type: '[]DeleteRecordsTopicResult',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        {
          name: 'partitions',
          type: '[]DeleteRecordsPartitionResult',
          versions: '0+',
          fields: [
            { name: 'partitionIndex', type: 'int32', versions: '0+' },
            { name: 'lowWatermark', type: 'int64', versions: '0+' },
            { name: 'errorCode', type: 'int16', versions: '0+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type DeleteRecordsRequest = MessageOf<typeof deleteRecordsRequest>;
export type DeleteRecordsResponse = MessageOf<typeof deleteRecordsResponse>;
