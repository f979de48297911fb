// Load generator for the registry benchmark, run as its own process so that it does not share
// the server's event loop. Reads a job (JSON) from argv[2], prints one JSON result line.
//   closed: `concurrency` loops send requests back to back for `durationMs` → requests/s
//   rate:   requests started at `rate` per second for `durationMs` → latency p50/p99 (ms)
//   once:   every request of the list once, `concurrency` at a time → requests/s
import http from 'node:http';
import { readFileSync } from 'node:fs';

interface Req {
  method: string;
  path: string;
  body?: string;
}

interface Job {
  mode: 'closed' | 'rate' | 'once';
  host: string;
  port: number;
  requests: Req[];
  concurrency?: number;
  durationMs?: number;
  rate?: number;
}

const REQUEST_TIMEOUT_MS = 30_000;
const job = JSON.parse(readFileSync(process.argv[2], 'utf8')) as Job;
const agent = new http.Agent({ keepAlive: true, maxSockets: Math.max(job.concurrency ?? 64, 64) });
const bodies = job.requests.map((r) => (r.body === undefined ? undefined : Buffer.from(r.body)));

function send(i: number): Promise<number> {
  const r = job.requests[i];
  const body = bodies[i];
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: job.host,
        port: job.port,
        method: r.method,
        path: r.path,
        agent,
        headers: body === undefined ? {} : { 'content-type': 'application/vnd.schemaregistry.v1+json', 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    // A request the server never answers fails the run (with a message) instead of hanging it.
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer to ${r.method} ${r.path} within ${REQUEST_TIMEOUT_MS} ms`)));
    req.end(body);
  });
}

let failures = 0;
const check = (status: number): void => {
  if (status >= 300) failures++;
};

async function closed(): Promise<Record<string, number>> {
  const deadline = performance.now() + (job.durationMs ?? 5000);
  let done = 0;
  let next = 0;
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline) {
      check(await send(next++ % job.requests.length));
      done++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: job.concurrency ?? 32 }, loop));
  return { requestsPerSec: done / ((performance.now() - start) / 1000), requests: done };
}

async function rate(): Promise<Record<string, number>> {
  const perSec = job.rate ?? 1000;
  const total = Math.round((perSec * (job.durationMs ?? 5000)) / 1000);
  const latencies: number[] = [];
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / perSec;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    // Latency counts from the scheduled start when sending late, so a stalled server cannot hide
    // queueing (no coordinated omission), and from the actual start when the timer fired early.
    const from = Math.min(due, performance.now());
    pending.push(
      send(i % job.requests.length).then((status) => {
        check(status);
        latencies.push(performance.now() - from);
      }),
    );
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  const q = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  return { p50: q(0.5), p99: q(0.99), requests: latencies.length, achievedPerSec: latencies.length / ((performance.now() - start) / 1000) };
}

async function once(): Promise<Record<string, number>> {
  let next = 0;
  const start = performance.now();
  const loop = async (): Promise<void> => {
    while (next < job.requests.length) check(await send(next++));
  };
  await Promise.all(Array.from({ length: job.concurrency ?? 8 }, loop));
  return { requestsPerSec: job.requests.length / ((performance.now() - start) / 1000), requests: job.requests.length };
}

const result = job.mode === 'closed' ? await closed() : job.mode === 'rate' ? await rate() : await once();
agent.destroy();
process.stdout.write(`${JSON.stringify({ ...result, failures })}\n`);
