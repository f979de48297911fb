import type { MessageOf, MessageSpec } from '../schema.ts';

/** ListOffsets (api key 2). v0 returns a list of old-style offsets; v1+ one offset and timestamp. */
export const listOffsetsRequest = {
  name: 'ListOffsetsRequest',
  apiKey: 2,
  type: 'request',
  validVersions: '0-10',
  flexibleVersions: '6+',
  fields: [
    { name: 'replicaId', type: 'int32', versions: '0+' },
    { name: 'isolationLevel', type: 'int8', versions: '2+' },
    {
      name: 'topics',
      type: '[]ListOffsetsTopic',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        {
          name: 'partitions',
          type: '[]ListOffsetsPartition',
          versions: '0+',
          fields: [
            { name: 'partitionIndex', type: 'int32', versions: '0+' },
            { name: 'currentLeaderEpoch', type: 'int32', versions: '4+', default: -1 },
            { name: 'timestamp', type: 'int64', versions: '0+' },
            { name: 'maxNumOffsets', type: 'int32', versions: '0', default: 1 },
          ],
        },
      ],
    },
    { name: 'timeoutMs', type: 'int32', versions: '10+' },
  ],
} as const satisfies MessageSpec;

export const listOffsetsResponse = {
  name: 'ListOffsetsResponse',
  apiKey: 2,
  type: 'response',
  validVersions: '0-10',
  flexibleVersions: '6+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '2+' },
    {
      name: 'topics',
      type: '[]ListOffsetsTopicResponse',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        {
          name: 'partitions',
          type: '[]ListOffsetsPartitionResponse',
          versions: '0+',
          fields: [
            { name: 'partitionIndex', type: 'int32', versions: '0+' },
            { name: 'errorCode', type: 'int16', versions: '0+' },
            { name: 'oldStyleOffsets', type: '[]int64', versions: '0' },
            { name: 'timestamp', type: 'int64', versions: '1+', default: -1 },
            { name: 'offset', type: 'int64', versions: '1+', default: -1 },
            { name: 'leaderEpoch', type: 'int32', versions: '4+', default: -1 },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type ListOffsetsRequest = MessageOf<typeof listOffsetsRequest>;
export type ListOffsetsResponse = MessageOf<typeof listOffsetsResponse>;
