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
 * One client connection: splits the byte stream into frames, handles requests strictly one at a
 * time in arrival order (as Kafka does, muting the channel while a request is in flight), and
 * writes each response as its chunks under cork, so responses leave in request order and the
 * stored record batches of a Fetch are never copied into one big buffer. A frame that cannot be
 * parsed closes this connection only, with the reason logged.
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

export interface RequestHandler {
  handle(request: DecodedRequest, connection: ConnectionInfo): HandlerResult | Promise<HandlerResult>;
}

export interface ConnectionOptions {
  maxFrameSize: number;
  /** Close after this long without traffic while nothing is in flight; -1 = never. */
  idleTimeoutMs: number;
  logger: Logger;
}

/** Frames waiting beyond this pause reading from the socket until the backlog is worked off. */
const MAX_QUEUED_FRAMES = 64;

function isPromise<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

export class Connection {
  readonly info: ConnectionInfo;
  readonly #socket: Socket;
  readonly #handler: RequestHandler;
  readonly #splitter: FrameSplitter;
  readonly #log: Logger;
  readonly #queue: Buffer[] = [];
  #busy = false;
  #closed = false;
  #readPaused = false;
  readonly #closeListeners: (() => void)[] = [];

  constructor(socket: Socket, info: ConnectionInfo, handler: RequestHandler, options: ConnectionOptions) {
    this.#socket = socket;
    this.info = info;
    this.#handler = handler;
    this.#splitter = new FrameSplitter(options.maxFrameSize);
    this.#log = options.logger.child({ connection: info.id, client: info.clientHost });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (err) => this.#log.debug({ err: messageOf(err) }, 'socket error'));
    socket.on('close', () => this.#onClosed());
    socket.on('drain', () => this.#pump());
    if (options.idleTimeoutMs > 0) {
      socket.setTimeout(options.idleTimeoutMs, () => {
        if (!this.#busy && this.#queue.length === 0) this.close(`idle for ${options.idleTimeoutMs} ms (connections.max.idle.ms)`, 'debug');
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
    this.#socket.destroy();
  }

  #onClosed(): void {
    this.#closed = true;
    this.#queue.length = 0;
    for (const listener of this.#closeListeners.splice(0)) listener();
  }

  #onData(chunk: Buffer): void {
    if (this.#closed) return;
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

  /** Works through queued frames; synchronous handlers run back to back under one cork. */
  #pump(): void {
    if (this.#busy || this.#closed) return;
    this.#busy = true;
    this.#socket.cork();
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        // A client that does not read its responses gets no more work done for it until it does.
        if (this.#socket.writableNeedDrain) break;
        const frame = this.#queue.shift() as Buffer;
        const pending = this.#process(frame);
        if (pending !== undefined) {
          this.#socket.uncork();
          pending.then(
            () => {
              this.#busy = false;
              this.#pump();
            },
            (err: unknown) => {
              this.#busy = false;
              this.close(`request failed: ${messageOf(err)}`);
            },
          );
          return;
        }
      }
    } catch (err) {
      this.close(`request failed: ${messageOf(err)}`);
    }
    this.#socket.uncork();
    this.#busy = false;
    if (this.#readPaused && this.#queue.length <= MAX_QUEUED_FRAMES / 2 && !this.#closed) {
      this.#readPaused = false;
      this.#socket.resume();
    }
  }

  /** Handles one frame; returns a promise when the handler answers later. */
  #process(frame: Buffer): Promise<void> | undefined {
    let request: DecodedRequest;
    try {
      request = decodeRequest(frame);
    } catch (err) {
      this.#rejectFrame(err);
      return undefined;
    }
    if (request.trailingBytes > 0) {
      this.#log.debug({ apiKey: request.apiKey, apiVersion: request.apiVersion, trailingBytes: request.trailingBytes }, 'ignoring bytes after the request body');
    }
    const result = this.#handler.handle(request, this.info);
    if (isPromise(result)) return result.then((body) => this.#respond(request, body));
    this.#respond(request, result);
    return undefined;
  }

  #respond(request: DecodedRequest, body: HandlerResult): void {
    if (body instanceof CloseConnection) return this.close(body.reason);
    if (body === null || this.#closed) return;
    const chunks = encodeResponse(request.header, request.apiKey, request.apiVersion, body);
    this.#socket.cork();
    for (const chunk of chunks) this.#socket.write(chunk);
    this.#socket.uncork();
  }

  #rejectFrame(err: unknown): void {
    if (err instanceof UnsupportedVersionError) {
      // An ApiVersions request newer than ours is answered in v0 with the ranges we support (KIP-511).
      if (err.request.apiKey === 18) {
        for (const chunk of encodeApiVersionsFallback(err.request.correlationId)) this.#socket.write(chunk);
        return;
      }
      return this.close(`${err.message} (client ${err.request.clientId ?? 'unknown'})`);
    }
    if (err instanceof UnknownApiKeyError || err instanceof MalformedMessageError) return this.close(err.message);
    throw err;
  }
}
