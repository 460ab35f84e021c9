import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** One registry per running app, so tests can run several apps in one process without sharing counters. */
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequests = this.counter('switchboard_http_requests_total', 'HTTP requests by route and status code', ['route', 'status']);
  readonly slackRequests = this.counter(
    'switchboard_slack_requests_total',
    'Slack requests by kind (command, action, view, options, event), name and outcome',
    ['kind', 'name', 'outcome'],
  );
  readonly slackRequestSeconds = this.histogram(
    'switchboard_slack_request_duration_seconds',
    'Time from receiving a Slack request to finishing its handler',
    ['kind', 'name'],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );
  readonly backendCalls = this.counter(
    'switchboard_backend_calls_total',
    'Calls to Novu, Vapi and SignalWire by operation and outcome (status code, timeout or network)',
    ['backend', 'operation', 'outcome'],
  );
  readonly backendCallSeconds = this.histogram(
    'switchboard_backend_call_duration_seconds',
    'Duration of one backend HTTP attempt',
    ['backend', 'operation'],
    [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  );
  readonly jobs = this.gauge('switchboard_jobs', 'Queued backend writes by state', ['state']);
  readonly installationCacheLookups = this.counter(
    'switchboard_installation_cache_lookups_total',
    'Installation lookups (every Slack request makes one) answered from the in-memory cache (hit) or the store (miss)',
    ['result'],
  );
  readonly installationCacheHitRatio = this.gauge(
    'switchboard_installation_cache_hit_ratio',
    'Share of installation lookups answered from the cache since start',
    [],
    () => this.updateHitRatio(),
  );
  readonly installationCacheEntries: Gauge = this.gauge(
    'switchboard_installation_cache_entries',
    'Installations held in the in-memory cache (bounded by INSTALLATION_CACHE_SIZE)',
    [],
    () => this.installationCacheEntries.set(this.cacheSize()),
  );
  readonly jobRuns = this.counter('switchboard_job_runs_total', 'Job attempts by kind and outcome (done, retry, dead)', ['kind', 'outcome']);

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

  private counter<L extends string>(name: string, help: string, labelNames: readonly L[]) {
    return new Counter<L>({ name, help, labelNames, registers: [this.registry] });
  }

  private histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]) {
    return new Histogram<L>({ name, help, labelNames, buckets, registers: [this.registry] });
  }

  private gauge<L extends string>(name: string, help: string, labelNames: readonly L[], collect?: () => void) {
    return new Gauge<L>({ name, help, labelNames, collect, registers: [this.registry] });
  }

  /**
   * prom-client hashes a label set on every call; the request path labels each request with
   * values from a bounded set, so each child is made once and kept.
   */
  labelled<T>(cache: Map<string, T>, key: string, make: () => T): T {
    const child = cache.get(key) ?? make();
    cache.set(key, child);
    return child;
  }
}
