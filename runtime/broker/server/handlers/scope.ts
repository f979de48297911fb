import type { ConnectionInfo } from '../connection.ts';

/** What a handler knows about the request it answers and the broker answering it. */
export interface RequestScope {
  readonly apiVersion: number;
  /** The request header's client id ('' when null). */
  readonly clientId: string;
  readonly connection: ConnectionInfo;
  readonly nodeId: number;
  /** The advertised address of the listener this client connected to. */
  endpoint(): { host: string; port: number };
}
