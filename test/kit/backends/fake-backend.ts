import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { OpenApiValidator, type VendorSpec } from '../openapi.js';

/**
 * A loopback vendor API: records every request, validates bodies against the vendor's OpenAPI
 * document, and can be told to answer slowly, fail, rate-limit, drop the connection or go down.
 */
type Json = Record<string, any>;

export interface RecordedRequest {
  method: string;
  path: string;
  /** The spec's path template this request matched, e.g. `/v1/channel-endpoints/{identifier}`. */
  route?: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
  /** Why the vendor would reject the body; empty when it is valid. */
  problems: string[];
  at: number;
  /** The status the vendor answered with (unset while in flight, or when the connection was dropped). */
  status?: number;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Fault {
  /** `METHOD /path` (exact, or a path prefix ending in `*`), or a predicate. */
  match: string | ((request: RecordedRequest) => boolean);
  /** How many matching requests it applies to (default 1). */
  times?: number;
  /** The vendor's answer instead of its usual one; produced where the vendor produces answers (inside its idempotency layer, say). */
  reply?: Reply;
  /** Time the vendor takes to process the request: longer than the client's timeout is "answers after the timeout". */
  delayMs?: number;
  /** The request is lost before the vendor sees it: the socket closes, nothing happens. */
  drop?: boolean;
  /** The vendor processes the request, then the connection drops: the work is done, the answer is lost. */
  dropAfter?: boolean;
}

export type Handler = (request: RecordedRequest, params: Record<string, string>) => Reply | Promise<Reply>;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
}

export abstract class FakeBackend {
  readonly requests: RecordedRequest[] = [];
  private readonly faults: (Fault & { remaining: number })[] = [];
  private readonly routes: Route[] = [];
  private readonly validator: OpenApiValidator;
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  private port = 0;
  /** Added to every response. */
  latencyMs = 0;

  protected constructor(spec: VendorSpec) {
    this.validator = new OpenApiValidator(spec);
  }

  /** Whether the request carries the right credentials. */
  protected abstract authorized(headers: IncomingHttpHeaders): boolean;
  protected abstract unauthorized(): Reply;
  /** The vendor's answer to a body that fails its schema. */
  protected abstract invalidBody(problems: string[]): Reply;
  /** Whether the vendor refuses a query its spec does not declare, or a value outside its schema (as `invalidBody`). */
  protected readonly validatesQuery: boolean = false;
  /** The vendor's answer to a query it refuses (by default as to a body). */
  protected invalidQuery(problems: string[]): Reply {
    return this.invalidBody(problems);
  }
  /** Rules the vendor's server applies beyond its published schema. */
  protected serverRules(_request: RecordedRequest): string[] {
    return [];
  }

  /** The body as the vendor's schema judges it (a vendor whose server reads some values before its schema does says so here). */
  protected bodyForSchema(request: RecordedRequest): unknown {
    return request.body;
  }

  /**
   * Where the vendor produces an answer, after authentication and before it is sent. A vendor
   * with an idempotency layer wraps `produce` in it, so injected answers are stored and replayed
   * like its own.
   */
  protected process(_request: RecordedRequest, produce: () => Promise<Reply>): Promise<Reply> {
    return produce();
  }

  /** Answers the vendor gives before its own processing (rate limits): never stored or replayed. */
  protected answersBeforeProcessing(reply: Reply): boolean {
    return reply.status === 429;
  }

  protected on(method: string, path: string, handler: Handler): void {
    const names: string[] = [];
    const pattern = new RegExp(
      `^${path.replace(/:(\w+)/g, (_match, name: string) => {
        names.push(name);
        return '([^/]+)';
      })}$`,
    );
    this.routes.push({ method, pattern, names, handler });
  }

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: String(error) }));
      });
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server?.listen(port || this.port || 0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server?.close(resolve));
    this.server = undefined;
  }

  /** Stops listening: connections are refused until `comeBack()`. */
  goDown(): Promise<void> {
    return this.stop();
  }

  async comeBack(): Promise<void> {
    await this.start(this.port);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  inject(fault: Fault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  requestsTo(method: string, pathOrRoute: string): RecordedRequest[] {
    return this.requests.filter((request) => request.method === method && (request.path === pathOrRoute || request.route === pathOrRoute));
  }

  /** Requests whose body the vendor's schema (or server) rejects. */
  invalidRequests(): RecordedRequest[] {
    return this.requests.filter((request) => request.problems.length > 0);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const text = await readBody(req);
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    const route = this.validator.matchPath(req.method ?? 'GET', url.pathname);
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      route,
      query: url.searchParams,
      headers: req.headers,
      body,
      problems: [],
      at: Date.now(),
    };
    if (route && ['POST', 'PUT', 'PATCH'].includes(request.method)) {
      request.problems = [...this.validator.validateRequest(request.method, route, this.bodyForSchema(request)), ...this.serverRules(request)];
    }
    if (route && this.validatesQuery) request.problems.push(...this.validator.validateQuery(request.method, route, request.query));
    this.requests.push(request);

    const fault = this.faults.find((candidate) => candidate.remaining > 0 && matches(candidate.match, request));
    if (fault) fault.remaining -= 1;
    if (fault?.drop) {
      req.socket.destroy();
      return;
    }
    let reply: Reply;
    if (!this.authorized(req.headers)) reply = this.unauthorized();
    else if (fault?.reply && this.answersBeforeProcessing(fault.reply)) reply = fault.reply;
    else {
      reply = await this.process(request, async () => {
        const delay = (fault?.delayMs ?? 0) + this.latencyMs;
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
        if (fault?.reply) return fault.reply;
        if (request.problems.length > 0)
          return request.body === undefined && request.method === 'GET' ? this.invalidQuery(request.problems) : this.invalidBody(request.problems);
        return this.dispatch(request);
      });
    }
    if (fault?.dropAfter) {
      req.socket.destroy();
      return;
    }
    if (res.destroyed) return;
    request.status = reply.status;
    res.writeHead(reply.status, { ...(reply.body === undefined ? {} : { 'content-type': 'application/json' }), ...reply.headers });
    res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
  }

  private async dispatch(request: RecordedRequest): Promise<Reply> {
    for (const route of this.routes) {
      if (route.method !== request.method) continue;
      const match = route.pattern.exec(request.path);
      if (!match) continue;
      const params = Object.fromEntries(route.names.map((name, index) => [name, decodeURIComponent(match[index + 1] ?? '')]));
      return route.handler(request, params);
    }
    return { status: 404, body: { statusCode: 404, message: `Cannot ${request.method} ${request.path}` } };
  }
}

function matches(match: Fault['match'], request: RecordedRequest): boolean {
  if (typeof match === 'function') return match(request);
  const [method, path] = match.split(' ');
  if (method !== request.method || !path) return false;
  return path.endsWith('*') ? request.path.startsWith(path.slice(0, -1)) : request.path === path;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function bodyHash(body: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(body ?? null))
    .digest('hex');
}

export type { Json };
