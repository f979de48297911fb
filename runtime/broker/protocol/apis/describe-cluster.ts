import type { MessageOf, MessageSpec } from '../schema.ts';

/** DescribeCluster (api key 60). Flexible in every version; v1 endpoint type (1 brokers, 2 controllers). */
export const describeClusterRequest = {
  name: 'DescribeClusterRequest',
  apiKey: 60,
  type: 'request',
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: [
    { name: 'includeClusterAuthorizedOperations', type: 'bool', versions: '0+' },
    { name: 'endpointType', type: 'int8', versions: '1+', default: 1 },
  ],
} as const satisfies MessageSpec;

export const describeClusterResponse = {
  name: 'DescribeClusterResponse',
  apiKey: 60,
  type: 'response',
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'endpointType', type: 'int8', versions: '1+', default: 1 },
    { name: 'clusterId', type: 'string', versions: '0+' },
    { name: 'controllerId', type: 'int32', versions: '0+', default: -1 },
    {
      name: 'brokers',
      type: '[]DescribeClusterBroker',
      versions: '0+',
      fields: [
        { name: 'brokerId', type: 'int32', versions: '0+' },
        { name: 'host', type: 'string', versions: '0+' },
        { name: 'port', type: 'int32', versions: '0+' },
        { name: 'rack', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      ],
    },
    { name: 'clusterAuthorizedOperations', type: 'int32', versions: '0+', default: -2147483648 },
  ],
} as const satisfies MessageSpec;

export type DescribeClusterRequest = MessageOf<typeof describeClusterRequest>;
export type DescribeClusterResponse = MessageOf<typeof describeClusterResponse>;
