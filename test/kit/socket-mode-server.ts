import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';

type Json = Record<string, any>;

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface Delivered {
  /** False when no acknowledgement came within Slack's 3 seconds. */
  acked: boolean;
  /** The `payload` of the acknowledgement (Bolt sends `{}` for a bare ack). */
  payload?: Json;
}

/**
 * Slack's side of Socket Mode, on the emulator's port: `apps.connections.open` hands out a
 * single-use `wss` URL (here `ws://`); on connect Slack says `hello`; requests arrive as envelopes
 * (`{envelope_id, type, payload, accepts_response_payload, retry_attempt, retry_reason}`), and the
 * app acknowledges each with `{envelope_id, payload}` within 3 seconds. Slack pings the socket
 * and may ask the app to reconnect with a `disconnect` message.
 */
export class SocketModeServer {
  private readonly server = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private readonly sockets = new Set<WebSocket>();
  private readonly waiting = new Map<string, (payload: Json) => void>();
  private pinger: NodeJS.Timeout | undefined;
  /** Every acknowledgement received, in order. */
  readonly acks: { envelopeId: string; payload: Json }[] = [];
  /** Connections opened so far (a reconnect opens another). */
  connectionsOpened = 0;

  constructor(private readonly baseUrl: () => string) {}

  /** apps.connections.open: a URL good for one connection. */
  openUrl(): string {
    const ticket = randomBytes(8).toString('hex');
    this.tickets.add(ticket);
    return `${this.baseUrl().replace(/^http/, 'ws')}/link/?ticket=${ticket}`;
  }

  /** Takes over the HTTP upgrade for a Socket Mode URL; false when the request is not one. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/link/') return false;
    const ticket = url.searchParams.get('ticket') ?? '';
    if (!this.tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return true;
    }
    this.server.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    return true;
  }

  private accept(ws: WebSocket): void {
    this.pinger ??= setInterval(() => {
      for (const socket of this.sockets) socket.ping('ping from the emulator');
    }, 2_000);
    this.sockets.add(ws);
    this.connectionsOpened += 1;
    ws.on('close', () => this.sockets.delete(ws));
    ws.on('message', (data) => {
      let message: Json;
      try {
        message = JSON.parse(String(data)) as Json;
      } catch {
        return;
      }
      if (typeof message.envelope_id !== 'string') return;
      this.acks.push({ envelopeId: message.envelope_id, payload: message.payload ?? {} });
      this.waiting.get(message.envelope_id)?.(message.payload ?? {});
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.sockets.size,
        debug_info: { host: 'emulator', approximate_connection_time: 3600 },
        connection_info: { app_id: 'A0SWITCHBRD' },
      }),
    );
  }

  get connected(): boolean {
    return this.sockets.size > 0;
  }

  /** Sends an envelope to one open connection and waits up to 3 seconds for its acknowledgement. */
  async deliver(type: EnvelopeType, payload: Json, retry: { attempt?: number; reason?: string } = {}): Promise<Delivered> {
    const socket = [...this.sockets].find((candidate) => candidate.readyState === candidate.OPEN);
    if (!socket) throw new Error('No Socket Mode connection is open');
    const envelopeId = randomBytes(16).toString('hex');
    const acked = new Promise<Json | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), 3_000);
      this.waiting.set(envelopeId, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
    });
    socket.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: type !== 'events_api',
        ...(type === 'events_api' ? { retry_attempt: retry.attempt ?? 0, retry_reason: retry.reason ?? '' } : {}),
      }),
    );
    const answer = await acked;
    this.waiting.delete(envelopeId);
    return answer === undefined ? { acked: false } : { acked: true, payload: answer };
  }

  /** Slack recycling the connection: the app is asked to reconnect. */
  askToReconnect(): void {
    for (const socket of this.sockets) socket.send(JSON.stringify({ type: 'disconnect', reason: 'refresh_requested', debug_info: { host: 'emulator' } }));
  }

  async close(): Promise<void> {
    clearInterval(this.pinger);
    for (const socket of this.sockets) socket.terminate();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
