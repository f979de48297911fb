import type { MessageOf, MessageSpec } from '../schema.ts';

/** DeleteGroups (api key 42). v2 flexible. */
export const deleteGroupsRequest = {
  name: 'DeleteGroupsRequest',
  apiKey: 42,
  type: 'request',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [{ name: 'groupsNames', type: '[]string', versions: '0+' }],
} as const satisfies MessageSpec;

export const deleteGroupsResponse = {
  name: 'DeleteGroupsResponse',
  apiKey: 42,
  type: 'response',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'results',
      type: '[]DeletableGroupResult',
      versions: '0+',
      fields: [
        { name: 'groupId', type: 'string', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type DeleteGroupsRequest = MessageOf<typeof deleteGroupsRequest>;
export type DeleteGroupsResponse = MessageOf<typeof deleteGroupsResponse>;
