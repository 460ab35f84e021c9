import type { WebClient, WebClientOptions } from '@slack/web-api';
import type { Installations } from '../installations/installations.js';
import type { Logger } from '../logging/logger.js';
import type { WorkspaceKey } from '../store/types.js';
import type { MrkdwnText } from './mrkdwn.js';
import { TokenClients } from './token-clients.js';

export interface SlackMessage {
  /** Slack reads a message's text as mrkdwn (and notifies from it). */
  text: MrkdwnText;
  blocks?: unknown[];
}

/** Web API clients holding a workspace's bot token, for work done outside a Slack request (jobs, audit posts). */
export class BotClients {
  private readonly clients: TokenClients;

  constructor(
    private readonly installations: Installations,
    options: WebClientOptions,
    private readonly logger: Logger,
  ) {
    this.clients = new TokenClients(options);
  }

  async forWorkspace(workspaceKey: WorkspaceKey): Promise<WebClient | undefined> {
    const token = (await this.installations.find(workspaceKey))?.installation.bot?.token;
    return token ? this.forToken(token) : undefined;
  }

  /** A client for a token that is not (or not yet) stored: an install being refused or undone. */
  forToken(token: string): WebClient {
    return this.clients.for(token);
  }

  /** Sends a direct message; false when the workspace is gone or Slack refuses. Never throws. */
  async sendDirectMessage(workspaceKey: WorkspaceKey, userId: string, message: SlackMessage): Promise<boolean> {
    try {
      const client = await this.forWorkspace(workspaceKey);
      if (!client) return false;
      const channel = (await client.conversations.open({ users: userId })).channel?.id;
      if (!channel) return false;
      await client.chat.postMessage({ channel, text: message.text, blocks: message.blocks as never });
      return true;
    } catch (error) {
      this.logger.warn({ err: error, workspaceKey, userId }, 'could not send a direct message');
      return false;
    }
  }

  async postToChannel(workspaceKey: WorkspaceKey, channel: string, message: SlackMessage): Promise<boolean> {
    try {
      const client = await this.forWorkspace(workspaceKey);
      if (!client) return false;
      await client.chat.postMessage({ channel, text: message.text, blocks: message.blocks as never, unfurl_links: false });
      return true;
    } catch (error) {
      this.logger.warn({ err: error, workspaceKey, channel }, 'could not post to a channel');
      return false;
    }
  }
}
