/**
 * Test helpers for the Sluice broker: start it in-process (startBroker) or as a real process
 * (`node runtime/cli/sluice.ts broker ...`) on a free port with a fresh data directory, and a raw
 * Kafka protocol client (our codec) for requests the client libraries cannot be made to send.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { startBroker } from '../../runtime/broker/server/broker.ts';
import type { RunningBroker } from '../../runtime/broker/server/broker.ts';
import { FrameSplitter, decodeResponse, encodeRequest } from '../../runtime/broker/protocol/index.ts';
import { freePort } from '../services/free-port.ts';

export { freePort };

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const SLUICE_CLI = path.join(REPO_ROOT, 'runtime/cli/sluice.ts');

/** Settings that keep tests quick: no 3 s wait before a new group's first rebalance. */
export const FAST_GROUP_SETTINGS: Readonly<Record<string, string>> = { 'group.initial.rebalance.delay.ms': '0' };

export async function tempDataDir(prefix = 'sluice-broker-'): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export interface InProcessBroker {
  broker: RunningBroker;
  dataDir: string;
  bootstrap: string;
  /** Closes the broker (clean shutdown); the data directory stays for a restart. */
  stop(): Promise<void>;
  /** Starts a new broker on the same data directory and port. */
  restart(): Promise<InProcessBroker>;
  /** Closes the broker and removes its data directory. */
  destroy(): Promise<void>;
}

export interface InProcessOptions {
  dataDir?: string;
  port?: number;
  properties?: Record<string, string>;
  /** Receives every log line (JSON) at level debug and above. */
  onLog?: (line: string) => void;
}

export async function startInProcessBroker(options: InProcessOptions = {}): Promise<InProcessBroker> {
  const dataDir = options.dataDir ?? (await tempDataDir());
  const properties = { ...FAST_GROUP_SETTINGS, ...options.properties };
  const onLog = options.onLog;
  const logger =
    onLog === undefined
      ? pino({ level: process.env.SLUICE_LOG_LEVEL ?? 'silent' })
      : pino({ level: 'debug' }, { write: (line: string) => onLog(line) });
  const broker = await startBroker({ config: { properties, dataDir, listeners: `PLAINTEXT://127.0.0.1:${options.port ?? 0}` }, logger });
  const handle: InProcessBroker = {
    broker,
    dataDir,
    bootstrap: broker.bootstrap,
    stop: () => broker.close(),
    restart: async () => {
      await broker.close();
      return startInProcessBroker({ ...options, dataDir, port: broker.port });
    },
    destroy: async () => {
      await broker.close();
      await removeDir(dataDir);
    },
  };
  return handle;
}

export interface BrokerProcess {
  child: ChildProcess;
  port: number;
  bootstrap: string;
  dataDir: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM and wait for a clean exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: no shutdown at all. */
  kill9(): Promise<void>;
}

/** Runs `sluice broker` as a process and resolves once it logged "broker started". */
export async function spawnBroker(options: { dataDir: string; port?: number; properties?: Record<string, string>; args?: string[] }): Promise<BrokerProcess> {
  const port = options.port ?? (await freePort());
  const overrides = Object.entries({ ...FAST_GROUP_SETTINGS, ...options.properties }).flatMap(([k, v]) => ['--override', `${k}=${v}`]);
  const child = spawn(
    process.execPath,
    [SLUICE_CLI, 'broker', '--data-dir', options.dataDir, '--listeners', `PLAINTEXT://127.0.0.1:${port}`, ...overrides, ...(options.args ?? [])],
    { env: { ...process.env, SLUICE_LOG_LEVEL: 'info', VITEST: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (output.includes('"msg":"broker started"')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => reject(new Error(`sluice broker exited with code ${code} before it started:\n${output}`)));
  });
  return {
    child,
    port,
    bootstrap: `127.0.0.1:${port}`,
    dataDir: options.dataDir,
    output: () => output,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * A raw Kafka connection speaking our codec: sends requests (pipelined if wanted) and reads
 * responses in arrival order. For protocol-level tests only.
 */
export class RawKafkaConnection {
  readonly socket: net.Socket;
  readonly #splitter = new FrameSplitter(256 * 1024 * 1024);
  readonly #frames: Buffer[] = [];
  readonly #waiters: ((frame: Buffer | undefined) => void)[] = [];
  #closed = false;
  #nextCorrelationId = 1;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.#splitter.push(chunk)) {
        const waiter = this.#waiters.shift();
        if (waiter) waiter(frame);
        else this.#frames.push(frame);
      }
    });
    socket.on('close', () => {
      this.#closed = true;
      for (const waiter of this.#waiters.splice(0)) waiter(undefined);
    });
    socket.on('error', () => undefined);
  }

  static connect(bootstrap: string): Promise<RawKafkaConnection> {
    const [host, port] = bootstrap.split(':');
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port: Number(port) }, () => resolve(new RawKafkaConnection(socket)));
      socket.once('error', reject);
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Writes one request; returns its correlation id. */
  send(apiKey: number, apiVersion: number, body: object, correlationId = this.#nextCorrelationId++): number {
    for (const chunk of encodeRequest({ apiKey, apiVersion, correlationId, clientId: 'raw-test' }, body)) this.socket.write(chunk);
    return correlationId;
  }

  writeRaw(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** The next response frame, or undefined when the broker closed the connection first. */
  nextFrame(timeoutMs = 10_000): Promise<Buffer | undefined> {
    const ready = this.#frames.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.#closed) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(new Error(`no response within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (frame: Buffer | undefined): void => {
        clearTimeout(timer);
        resolve(frame);
      };
      this.#waiters.push(waiter);
    });
  }

  /** Sends a request and decodes the next response as its answer. */
  async request(apiKey: number, apiVersion: number, body: object): Promise<{ correlationId: number; body: Record<string, unknown> }> {
    const sent = this.send(apiKey, apiVersion, body);
    const frame = await this.nextFrame();
    if (frame === undefined) throw new Error(`connection closed before the answer to api ${apiKey} v${apiVersion}`);
    const decoded = decodeResponse(frame, apiKey, apiVersion);
    if (decoded.correlationId !== sent) throw new Error(`answer has correlation id ${decoded.correlationId}, expected ${sent}`);
    return decoded;
  }

  /** Resolves once the broker closed the connection (or rejects after the timeout). */
  waitClosed(timeoutMs = 10_000): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`connection still open after ${timeoutMs} ms`)), timeoutMs);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
