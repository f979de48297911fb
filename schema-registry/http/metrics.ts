/**
 * Prometheus metrics of one registry server, in its own prom-client Registry (several servers may
 * share a process): requests by route and status with their latency, the number of schemas,
 * subjects and whether this process is the leader; plus Node's process metrics.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RegistryStore } from '../store/backend.ts';

export class RegistryMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly latency: Histogram<'method' | 'route'>;

  constructor(store: RegistryStore) {
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'schema_registry_http_requests_total',
      help: 'HTTP requests answered, by route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: 'schema_registry_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by route',
      labelNames: ['method', 'route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers: [this.registry],
    });
    new Gauge({
      name: 'schema_registry_subjects',
      help: 'Subjects known to the registry (soft-deleted ones included)',
      registers: [this.registry],
      collect() {
        this.set(store.registry.state.subjects.size);
      },
    });
    new Gauge({
      name: 'schema_registry_schema_versions',
      help: 'Subject versions known to the registry (soft-deleted ones included)',
      registers: [this.registry],
      collect() {
        let n = 0;
        for (const versions of store.registry.state.subjects.values()) n += versions.size;
        this.set(n);
      },
    });
    new Gauge({
      name: 'schema_registry_leader',
      help: '1 when this process is the leader that takes writes',
      registers: [this.registry],
      collect() {
        this.set(store.leader().self ? 1 : 0);
      },
    });
    new Gauge({
      name: 'schema_registry_store_offset',
      help: 'Offset of the last _schemas record applied',
      registers: [this.registry],
      collect() {
        this.set(store.registry.state.lastOffset);
      },
    });
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.latency.observe({ method, route }, seconds);
  }
}
