import { createServer, type Server, Socket } from 'node:net';

/**
 * A TCP proxy in front of a server (here PostgreSQL), for the faults a network and a failover
 * cause: `stall` holds every byte both ways (a black hole: the connections stay open), `reset`
 * cuts every open connection with a TCP reset, `down` refuses new connections and resets the
 * open ones (the server gone), `up` heals.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  private state: 'up' | 'stall' | 'down' = 'up';
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** A URL like `url`, through this proxy. */
  rewrite(url: string): string {
    const through = new URL(url);
    through.hostname = '127.0.0.1';
    through.port = String(this.port);
    return through.toString();
  }

  async start(): Promise<this> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    return this;
  }

  stall(): void {
    this.state = 'stall';
    for (const { client, upstream } of this.pairs) {
      client.pause();
      upstream.pause();
    }
  }

  reset(): void {
    for (const pair of this.pairs) this.cut(pair);
  }

  down(): void {
    this.state = 'down';
    this.reset();
  }

  up(): void {
    this.state = 'up';
    for (const { client, upstream } of this.pairs) {
      client.resume();
      upstream.resume();
    }
  }

  get connections(): number {
    return this.pairs.size;
  }

  async stop(): Promise<void> {
    this.reset();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(client: Socket): void {
    if (this.state === 'down') {
      client.resetAndDestroy();
      return;
    }
    const upstream = new Socket();
    const pair = { client, upstream };
    this.pairs.add(pair);
    const forget = () => this.cut(pair);
    client.on('error', forget).on('close', forget);
    upstream.on('error', forget).on('close', forget);
    upstream.connect(this.targetPort, this.targetHost);
    client.pipe(upstream);
    upstream.pipe(client);
    if (this.state === 'stall') {
      client.pause();
      upstream.pause();
    }
  }

  private cut(pair: { client: Socket; upstream: Socket }): void {
    if (!this.pairs.delete(pair)) return;
    if (!pair.client.destroyed) pair.client.resetAndDestroy();
    if (!pair.upstream.destroyed) pair.upstream.resetAndDestroy();
  }
}
