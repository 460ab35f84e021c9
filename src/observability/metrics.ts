import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** One registry per running app, so tests can run several apps in one process without sharing counters. */
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'switchboard_http_requests_total',
    help: 'HTTP requests by route and status code',
    labelNames: ['route', 'status'] as const,
    registers: [this.registry],
  });

  readonly slackRequests = new Counter({
    name: 'switchboard_slack_requests_total',
    help: 'Slack requests by kind (command, action, view, options, event), name and outcome',
    labelNames: ['kind', 'name', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly slackRequestSeconds = new Histogram({
    name: 'switchboard_slack_request_duration_seconds',
    help: 'Time from receiving a Slack request to finishing its handler',
    labelNames: ['kind', 'name'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly backendCalls = new Counter({
    name: 'switchboard_backend_calls_total',
    help: 'Calls to Novu, Vapi and SignalWire by operation and outcome (status code, timeout or network)',
    labelNames: ['backend', 'operation', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly backendCallSeconds = new Histogram({
    name: 'switchboard_backend_call_duration_seconds',
    help: 'Duration of one backend HTTP attempt',
    labelNames: ['backend', 'operation'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly jobs = new Gauge({
    name: 'switchboard_jobs',
    help: 'Queued backend writes by state',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  readonly installationCacheLookups = new Counter({
    name: 'switchboard_installation_cache_lookups_total',
    help: 'Installation lookups (every Slack request makes one) answered from the in-memory cache (hit) or the store (miss)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly installationCacheHitRatio: Gauge = new Gauge({
    name: 'switchboard_installation_cache_hit_ratio',
    help: 'Share of installation lookups answered from the cache since start',
    registers: [this.registry],
    collect: (): void => this.updateHitRatio(),
  });

  readonly installationCacheEntries: Gauge = new Gauge({
    name: 'switchboard_installation_cache_entries',
    help: 'Installations held in the in-memory cache (bounded by INSTALLATION_CACHE_SIZE)',
    registers: [this.registry],
    collect: (): void => this.installationCacheEntries.set(this.cacheSize()),
  });

  readonly jobRuns = new Counter({
    name: 'switchboard_job_runs_total',
    help: 'Job attempts by kind and outcome (done, retry, dead)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });

  private cacheHits = 0;
  private cacheMisses = 0;
  private cacheSize: () => number = () => 0;

  constructor({ processMetrics = false } = {}) {
    if (processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'switchboard_' });
  }

  /** Where the installation cache's size is read from when /metrics is scraped. */
  watchInstallationCache(size: () => number): void {
    this.cacheSize = size;
  }

  /** Counts one installation lookup. */
  installationLookup(hit: boolean): void {
    if (hit) this.cacheHits += 1;
    else this.cacheMisses += 1;
    this.installationCacheLookups.inc({ result: hit ? 'hit' : 'miss' });
  }

  private updateHitRatio(): void {
    const lookups = this.cacheHits + this.cacheMisses;
    this.installationCacheHitRatio.set(lookups === 0 ? 0 : this.cacheHits / lookups);
  }

  /**
   * prom-client hashes a label set on every call; the request path labels each request with
   * values from a bounded set, so each child is made once and kept.
   */
  labelled<T>(cache: Map<string, T>, key: string, make: () => T): T {
    let child = cache.get(key);
    if (!child) {
      child = make();
      cache.set(key, child);
    }
    return child;
  }
}
