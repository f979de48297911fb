import type { Socket } from 'node:net';
import type { Logger } from '../../observability/logger.ts';
import { messageOf } from '../../util/errors.ts';
import {
  FrameSplitter,
  FrameTooLargeError,
  MalformedMessageError,
  UnknownApiKeyError,
  UnsupportedVersionError,
  decodeRequest,
  encodeApiVersionsFallback,
  encodeResponse,
} from '../protocol/index.ts';
import type { DecodedRequest } from '../protocol/index.ts';

/**
 * One client connection: splits the byte stream into frames and handles requests in arrival
 * order. A request whose handler answers later blocks the requests behind it (as Kafka mutes the
 * channel), except a LaterResponse: its effects are applied already (a Produce's batches are in
 * the log) and only the answer waits (for an fsync), so the next requests go ahead and appends
 * that arrive meanwhile share the next fsync. Responses still leave strictly in request order:
 * each takes a slot when its request arrives, and slots are written from the head as soon as
 * they are filled, each response's chunks under one cork (a Fetch's stored batches are never
 * copied into one big buffer). A frame that cannot be parsed closes this connection only, with
 * the reason logged.
 */
export interface ConnectionInfo {
  readonly id: number;
  /** Peer address as Kafka prints it, e.g. "/127.0.0.1". */
  readonly clientHost: string;
  readonly listenerName: string;
  /** Port of the listener the client reached. */
  readonly localPort: number;
  /** Host of that listener as clients reach it (its bound host, or the address they connected to). */
  readonly localAddress: string;
}

/**
 * A handler's verdict that the connection must close instead of answering: Kafka closes an acks=0
 * producer's connection when its produce failed, the only way such a producer learns of it.
 */
export class CloseConnection {
  readonly reason: string;
  constructor(reason: string) {
    this.reason = reason;
  }
}

/** The response body, null for none (acks=0 Produce), or CloseConnection. */
export type HandlerResult = object | null;

/**
 * A handler's promise that its request's effects are already applied and in order, only the
 * response is still to come: the connection handles the following requests meanwhile.
 */
export class LaterResponse {
  readonly response: Promise<HandlerResult>;
  constructor(response: Promise<HandlerResult>) {
    this.response = response;
  }
}

export interface RequestHandler {
  handle(request: DecodedRequest, connection: ConnectionInfo): HandlerResult | LaterResponse | Promise<HandlerResult>;
  /**
   * Whether handle() reads nothing of a request with this API key once it returns (neither the
   * frame's bytes nor views of them, in its answer or anywhere else): the connection may then
   * reuse the frame's buffer for the next one (see FrameSplitter).
   */
  doneWithBytesOnReturn?(apiKey: number): boolean;
}

export interface ConnectionOptions {
  maxFrameSize: number;
  /** Close after this long without traffic while nothing is in flight; -1 = never. */
  idleTimeoutMs: number;
  logger: Logger;
}

/** Frames waiting beyond this pause reading from the socket until the backlog is worked off. */
const MAX_QUEUED_FRAMES = 64;
/** Requests answered later that may be outstanding at once (Kafka producers keep at most 5 in flight). */
const MAX_PENDING_RESPONSES = 32;

function isPromise<T>(v: unknown): v is Promise<T> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

/** A response's place in the request order: undefined until it is known. */
interface ResponseSlot {
  chunks?: readonly Buffer[] | CloseConnection;
}

export class Connection {
  readonly info: ConnectionInfo;
  readonly #socket: Socket;
  readonly #handler: RequestHandler;
  readonly #splitter: FrameSplitter;
  readonly #log: Logger;
  readonly #queue: Buffer[] = [];
  readonly #slots: ResponseSlot[] = [];
  /** A request that blocks the ones behind it is in flight. */
  #blocked = false;
  #pumping = false;
  /** A CloseConnection verdict is waiting for its turn: nothing behind it is handled. */
  #closing = false;
  #closed = false;
  #readPaused = false;
  readonly #closeListeners: (() => void)[] = [];

  constructor(socket: Socket, info: ConnectionInfo, handler: RequestHandler, options: ConnectionOptions) {
    this.#socket = socket;
    this.info = info;
    this.#handler = handler;
    this.#splitter = new FrameSplitter(options.maxFrameSize, (apiKey) => handler.doneWithBytesOnReturn?.(apiKey) === true);
    this.#log = options.logger.child({ connection: info.id, client: info.clientHost });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (err) => this.#log.debug({ err: messageOf(err) }, 'socket error'));
    socket.on('close', () => this.#onClosed());
    socket.on('drain', () => this.#pump());
    if (options.idleTimeoutMs > 0) {
      socket.setTimeout(options.idleTimeoutMs, () => {
        if (!this.#blocked && this.#queue.length === 0 && this.#slots.length === 0) this.close(`idle for ${options.idleTimeoutMs} ms (connections.max.idle.ms)`, 'debug');
      });
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  onClose(listener: () => void): void {
    this.#closeListeners.push(listener);
  }

  /** Closes the connection, logging why. */
  close(reason: string, level: 'warn' | 'info' | 'debug' = 'warn'): void {
    if (this.#closed) return;
    this.#log[level]({ reason }, 'closing connection');
    this.#closed = true;
    this.#queue.length = 0;
    this.#slots.length = 0;
    this.#socket.destroy();
  }

  #onClosed(): void {
    this.#closed = true;
    this.#queue.length = 0;
    this.#slots.length = 0;
    for (const listener of this.#closeListeners.splice(0)) listener();
  }

  #onData(chunk: Buffer): void {
    if (this.#closed || this.#closing) return;
    let frames: Buffer[];
    try {
      frames = this.#splitter.push(chunk);
    } catch (err) {
      if (err instanceof FrameTooLargeError) return this.close(err.message);
      throw err;
    }
    for (const frame of frames) this.#queue.push(frame);
    if (this.#queue.length > MAX_QUEUED_FRAMES && !this.#readPaused) {
      this.#readPaused = true;
      this.#socket.pause();
    }
    this.#pump();
  }

  /** Works through queued frames until one blocks, too many answers are outstanding, or the client stops reading. */
  #pump(): void {
    if (this.#pumping || this.#closed) return;
    this.#pumping = true;
    try {
      while (this.#queue.length > 0 && !this.#blocked && !this.#closed && !this.#closing) {
        // A client that does not read its responses gets no more work done for it until it does.
        if (this.#socket.writableNeedDrain || this.#slots.length >= MAX_PENDING_RESPONSES) break;
        const frame = this.#queue.shift() as Buffer;
        this.#process(frame);
        this.#splitter.release(frame);
      }
    } catch (err) {
      this.close(`request failed: ${messageOf(err)}`);
    }
    this.#pumping = false;
    if (this.#readPaused && this.#queue.length <= MAX_QUEUED_FRAMES / 2 && !this.#closed) {
      this.#readPaused = false;
      this.#socket.resume();
    }
  }

  /** Handles one frame, giving its response a slot in request order. */
  #process(frame: Buffer): void {
    let request: DecodedRequest;
    try {
      request = decodeRequest(frame);
    } catch (err) {
      this.#rejectFrame(err);
      return;
    }
    if (request.trailingBytes > 0) {
      this.#log.debug({ apiKey: request.apiKey, apiVersion: request.apiVersion, trailingBytes: request.trailingBytes }, 'ignoring bytes after the request body');
    }
    const result = this.#handler.handle(request, this.info);
    const slot: ResponseSlot = {};
    if (result instanceof LaterResponse) {
      this.#slots.push(slot);
      result.response.then(
        (body) => {
          this.#fill(slot, request, body);
          // Written answers free slots: requests held back by the cap may go on.
          if (this.#queue.length > 0) this.#pump();
        },
        (err: unknown) => this.close(`request failed: ${messageOf(err)}`),
      );
      return;
    }
    if (isPromise<HandlerResult>(result)) {
      this.#slots.push(slot);
      this.#blocked = true;
      result.then(
        (body) => {
          this.#blocked = false;
          this.#fill(slot, request, body);
          this.#pump();
        },
        (err: unknown) => {
          this.#blocked = false;
          this.close(`request failed: ${messageOf(err)}`);
        },
      );
      return;
    }
    // No response at all (acks=0): nothing waits for a slot.
    if (result === null) return;
    this.#slots.push(slot);
    this.#fill(slot, request, result);
  }

  #fill(slot: ResponseSlot, request: DecodedRequest, body: HandlerResult): void {
    if (this.#closed) return;
    if (body === null) slot.chunks = [];
    else if (body instanceof CloseConnection) {
      slot.chunks = body;
      this.#closing = true;
      this.#queue.length = 0;
    } else slot.chunks = encodeResponse(request.header, request.apiKey, request.apiVersion, body);
    this.#writeReady();
  }

  /** Writes the filled slots at the head: each response leaves as soon as the ones before it have. */
  #writeReady(): void {
    while (this.#slots.length > 0 && !this.#closed) {
      const chunks = this.#slots[0].chunks;
      if (chunks === undefined) break;
      this.#slots.shift();
      if (chunks instanceof CloseConnection) {
        this.close(chunks.reason);
        break;
      }
      if (chunks.length === 0) continue;
      this.#socket.cork();
      for (const chunk of chunks) this.#socket.write(chunk);
      this.#socket.uncork();
    }
  }

  #rejectFrame(err: unknown): void {
    if (err instanceof UnsupportedVersionError) {
      // An ApiVersions request newer than ours is answered in v0 with the ranges we support (KIP-511).
      if (err.request.apiKey === 18) {
        this.#slots.push({ chunks: encodeApiVersionsFallback(err.request.correlationId) });
        this.#writeReady();
        return;
      }
      return this.close(`${err.message} (client ${err.request.clientId ?? 'unknown'})`);
    }
    if (err instanceof UnknownApiKeyError || err instanceof MalformedMessageError) return this.close(err.message);
    throw err;
  }
}
