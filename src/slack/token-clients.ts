import { WebClient, type WebClientOptions } from '@slack/web-api';

/**
 * Web API clients for many tokens at the cost of few. A WebClient is about 26 KB of heap (and more
 * of RSS): one per workspace, as Bolt keeps them, is hundreds of megabytes at 20,000 workspaces.
 * Slack takes the token per call (the `token` argument every method accepts, sent as the
 * Authorization header), so one WebClient serves them all, and `for(token)` hands out a light
 * view of it that adds the token to each call.
 *
 * Only while rate-limited calls are rejected, though: a WebClient that waits out a 429 pauses its
 * whole request queue for the `Retry-After` time, and Slack's limits are per workspace, so one
 * workspace's limit must not hold another's calls. Clients that wait (background work) are kept
 * one per token, for the most recently used tokens only.
 */
export class TokenClients {
  private readonly shared: WebClient | undefined;
  private readonly ownClients = new Map<string, WebClient>();

  constructor(
    private readonly options: WebClientOptions,
    private readonly maxOwnClients = 100,
  ) {
    if (options.rejectRateLimitedCalls) this.shared = new WebClient(undefined, options);
  }

  for(token: string): WebClient {
    return this.shared ? boundTo(this.shared, token) : this.ownClient(token);
  }

  private ownClient(token: string): WebClient {
    const client = this.ownClients.get(token) ?? new WebClient(token, this.options);
    // Re-inserting keeps the map in order of use, least recent first.
    this.ownClients.delete(token);
    this.ownClients.set(token, client);
    for (const [oldest] of this.ownClients) {
      if (this.ownClients.size <= this.maxOwnClients) break;
      this.ownClients.delete(oldest);
    }
    return client;
  }
}

/** Top-level methods whose arguments come second (`apiCall(method, options)`, `paginate(method, options)`). */
const methodsWithName = new Set<PropertyKey>(['apiCall', 'paginate']);

/** Slack's method namespaces are plain objects (`chat`, `views`, `admin.apps`…); the client's own parts (logger, queue) are not. */
const isNamespace = (value: unknown): value is object => value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;

/** The client, or one of its method namespaces (chat, views, users…), with the token added to every method's arguments. */
function boundTo<T extends object>(target: T, token: string, top = true): T {
  return new Proxy(target, {
    get(object, property) {
      if (top && property === 'token') return token;
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function') return isNamespace(value) ? boundTo(value, token, false) : value;
      if (!top) return (options?: object, ...rest: unknown[]) => value.call(object, { ...options, token }, ...rest);
      if (methodsWithName.has(property))
        return (method: string, options?: object, ...rest: unknown[]) => value.call(object, method, { ...options, token }, ...rest);
      return value.bind(object);
    },
  });
}
