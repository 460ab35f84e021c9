import { WebClient, type WebClientOptions } from '@slack/web-api';

/**
 * Web API clients by token, all with the same options: one per token, reused, at most `limit`
 * (the oldest goes first), so a busy multi-workspace process does not build a client per call.
 */
export class TokenClients {
  private readonly clients = new Map<string, WebClient>();

  constructor(
    private readonly options: WebClientOptions,
    private readonly limit = 500,
  ) {}

  for(token: string): WebClient {
    const existing = this.clients.get(token);
    if (existing) {
      this.clients.delete(token);
      this.clients.set(token, existing);
      return existing;
    }
    const client = new WebClient(token, this.options);
    this.clients.set(token, client);
    if (this.clients.size > this.limit) this.clients.delete(this.clients.keys().next().value as string);
    return client;
  }
}
