import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A text that reached a phone: an SMS, or a chat message sent to a phone number (WhatsApp Business, Sendblue). */
export interface ReceivedText {
  channel: 'sms' | 'chat';
  /** The Novu provider that sent it (`twilio`, `whatsapp-business`, …). */
  providerId: string;
  to: string;
  from?: string;
  body: string;
  at: number;
}

/**
 * The phones at the far end of the SMS and WhatsApp providers: a loopback server the fake Novu's
 * providers deliver to over HTTP, the way a provider's API hands a message to the network. A test
 * asserts that a text reached a number here, not that Novu accepted a write.
 */
export class PhoneNetwork {
  readonly received: ReceivedText[] = [];
  /** Numbers the network refuses (unreachable, blocked): the provider answers with an error. */
  readonly unreachable = new Set<string>();
  private server: Server | undefined;
  private port = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const text = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Omit<ReceivedText, 'at'>;
        if (this.unreachable.has(text.to)) {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ code: 21610, message: `The number ${text.to} is unreachable` }));
          return;
        }
        this.received.push({ ...text, at: Date.now() });
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: `text-${this.received.length}` }));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
    this.server = undefined;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** What reached one number, oldest first. */
  textsTo(number: string): ReceivedText[] {
    return this.received.filter((text) => text.to === number);
  }
}
