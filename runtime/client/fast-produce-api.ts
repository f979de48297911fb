/**
 * Makes a platformatic Producer write its Produce requests with produce-encoding.ts. platformatic
 * looks its Produce API up through the client's API resolver each time it sends; the resolver is
 * wrapped so that for the versions encoded here (9–11) the request body comes from
 * encodeProduceRequest. Everything else — connections, retries, idempotent sequences, response
 * parsing — stays platformatic's. Requests the encoder does not cover (compressed, non-Buffer
 * fields, other versions) go through platformatic's own encoder, with the producer's pre-encoded
 * records turned back into key, value and headers.
 */
import type { Connection, Producer } from '@platformatic/kafka';
import { Writer, kGetApi, produceV10, produceV11, produceV9 } from '@platformatic/kafka';
import type { ProduceEncodingOptions, ProduceMessage } from './produce-encoding.ts';
import { canEncodeFast, encodeProduceRequest, withDecodedRecords } from './produce-encoding.ts';

type Callback = (error: Error | null, result?: unknown) => void;

/** platformatic's Produce API function: (connection, acks, timeout, messages, options, callback). */
interface ProduceApi {
  (connection: Connection, acks: number, timeout: number, messages: ProduceMessage[], options: ProduceEncodingOptions, callback: Callback): void;
  key: number;
  version: number;
}

type ApiResolver = (name: string, callback: (error: Error | null, api?: unknown) => void) => void;

const RESPONSE_PARSERS = new Map<number, unknown>([
  [9, produceV9.parseResponse],
  [10, produceV10.parseResponse],
  [11, produceV11.parseResponse],
]);

/** Acks value for which the broker sends no response. */
const NO_RESPONSE = 0;

export function useFastProduceEncoding(client: Producer): void {
  const target = client as unknown as Record<symbol, ApiResolver>;
  const resolve = target[kGetApi].bind(client);
  const wrapped = new Map<ProduceApi, ProduceApi>();
  target[kGetApi] = (name, callback) =>
    resolve(name, (error, api) => {
      if (error !== null || name !== 'Produce' || api === undefined) {
        callback(error, api);
        return;
      }
      const original = api as ProduceApi;
      let fast = wrapped.get(original);
      if (fast === undefined) {
        fast = fastProduceApi(original);
        wrapped.set(original, fast);
      }
      callback(null, fast);
    });
}

function fastProduceApi(original: ProduceApi): ProduceApi {
  const parser = RESPONSE_PARSERS.get(original.version);
  const api = ((connection, acks, timeout, messages, options, callback) => {
    if (parser === undefined || !canEncodeFast(messages, options)) {
      withDecodedRecords(messages);
      original(connection, acks, timeout, messages, options, callback);
      return;
    }
    connection.send(
      original.key,
      original.version,
      () => {
        const writer = Writer.create();
        for (const part of encodeProduceRequest(acks, timeout, messages, options)) writer.append(part);
        if (acks === NO_RESPONSE) writer.context.noResponse = true;
        return writer;
      },
      parser as NonNullable<Parameters<Connection['send']>[3]>,
      true,
      true,
      callback as Parameters<Connection['send']>[6],
    );
  }) as ProduceApi;
  api.key = original.key;
  api.version = original.version;
  return api;
}
