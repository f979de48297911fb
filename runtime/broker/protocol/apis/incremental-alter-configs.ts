import type { MessageOf, MessageSpec } from '../schema.ts';

/** IncrementalAlterConfigs (api key 44): set/delete/append/subtract single keys. v1 flexible. */
export const incrementalAlterConfigsRequest = {
  name: 'IncrementalAlterConfigsRequest',
  apiKey: 44,
  type: 'request',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    {
      name: 'resources',
      type: '[]AlterConfigsResource',
      versions: '0+',
      fields: [
        { name: 'resourceType', type: 'int8', versions: '0+' },
        { name: 'resourceName', type: 'string', versions: '0+' },
        {
          name: 'configs',
          type: '[]AlterableConfig',
          versions: '0+',
          fields: [
            { name: 'name', type: 'string', versions: '0+' },
            { name: 'configOperation', type: 'int8', versions: '0+' },
            { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
    { name: 'validateOnly', type: 'bool', versions: '0+' },
  ],
} as const satisfies MessageSpec;

export const incrementalAlterConfigsResponse = {
  name: 'IncrementalAlterConfigsResponse',
  apiKey: 44,
  type: 'response',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'responses',
      type: '[]AlterConfigsResourceResponse',
      versions: '0+',
      fields: [
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
        { name: 'resourceType', type: 'int8', versions: '0+' },
        { name: 'resourceName', type: 'string', versions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type IncrementalAlterConfigsRequest = MessageOf<typeof incrementalAlterConfigsRequest>;
export type IncrementalAlterConfigsResponse = MessageOf<typeof incrementalAlterConfigsResponse>;
