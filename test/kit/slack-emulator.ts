import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkMessage, checkView } from './block-kit.js';
import { SlackChannels } from './slack-channels.js';
import { type Caller, SlackFiles } from './slack-files.js';
import { SocketModeServer } from './socket-mode-server.js';

/**
 * A loopback stand-in for slack.com: the Web API methods Switchboard calls, the OAuth authorize
 * page, and response_url endpoints. It records every call, issues and checks tokens and trigger
 * ids the way Slack does, and rejects views and messages that break Block Kit limits.
 */
type Json = Record<string, any>;

export interface EmulatedUser {
  id: string;
  teamId: string;
  name?: string;
  email?: string;
  isAdmin?: boolean;
  isOwner?: boolean;
  /** An Enterprise Grid user: `users.info` then carries `enterprise_user` with the org-level roles. */
  enterprise?: { id: string; isAdmin?: boolean; isOwner?: boolean };
  /** Deactivated: still listed by users.list, with `deleted: true`. */
  deleted?: boolean;
  isBot?: boolean;
}

/** A message the app posted, as `chat.update` finds it. */
export interface PostedMessage {
  channel: string;
  ts: string;
  text: string;
  blocks?: Json[];
  botUserId: string;
  updates: number;
  /** A file share (files.completeUploadExternal with a channel): the files' ids. */
  files?: string[];
}

export interface InstallTarget {
  team?: { id: string; name: string };
  enterprise?: { id: string; name: string };
  isEnterpriseInstall?: boolean;
  userId: string;
  /** The bot scopes granted; default: what the authorize link asked for. */
  scopes?: string[];
  /** Token rotation on: tokens expire after `expiresIn` seconds and come with a refresh token. */
  rotation?: { expiresIn: number /** Lifetime of tokens issued by a refresh (Slack: 12 hours); default expiresIn. */; refreshedExpiresIn?: number };
}

interface IssuedToken {
  token: string;
  kind: 'bot' | 'user';
  teamId?: string;
  teamName?: string;
  enterpriseId?: string;
  isEnterpriseInstall: boolean;
  userId: string;
  botId: string;
  botUserId: string;
  scopes: ReadonlySet<string>;
  expiresAt?: number;
  revoked: boolean;
}

interface RefreshToken {
  token: string;
  target: InstallTarget;
  used: boolean;
}

export interface ApiCall {
  method: string;
  args: Json;
  token?: string;
  ok: boolean;
  error?: string;
  at: number;
}

export interface EmulatedView extends Json {
  id: string;
  hash: string;
  type: 'modal' | 'home';
  state: { values: Json };
}

export interface ResponsePost {
  id: string;
  /** The conversation the command or click came from: where an `in_channel` answer appears. */
  channelId?: string;
  body: Json;
  at: number;
}

/** Slack: a response_url takes up to five posts within thirty minutes. */
const responseUrlUses = 5;
const responseUrlLifetimeMs = 30 * 60_000;

interface Fault {
  method: string;
  times: number;
  error: string;
  status?: number;
  retryAfter?: number;
}

const randomPart = (bytes = 12) => randomBytes(bytes).toString('hex');

export class SlackEmulator {
  readonly clientId = `${Date.now() % 100000}.${Math.floor(Math.random() * 1e9)}`;
  readonly clientSecret = `emulated-client-secret-${randomPart(8)}`;
  readonly appId = 'A0SWITCHBRD';
  /** The app-level token (connections:write) Socket Mode connects with. */
  readonly appToken = `xapp-1-A0SWITCHBRD-${randomPart(16)}`;
  readonly socketMode = new SocketModeServer(() => this.url);
  readonly calls: ApiCall[] = [];
  readonly problems: string[] = [];
  readonly responses: ResponsePost[] = [];
  readonly views = new Map<string, EmulatedView>();
  /** The workspace (or org) whose token opened each view. */
  private readonly viewOwners = new Map<string, string>();
  /** The modal each trigger opened, by trigger id: which form a command opened, when several people open forms at once. */
  private readonly viewsByTrigger = new Map<string, string>();
  readonly homeViews = new Map<string, EmulatedView>();
  readonly users = new Map<string, EmulatedUser>();
  readonly channels = new SlackChannels();
  /** Files people uploaded (file_input) and the app shared; their download URLs and the upload flow. */
  readonly files = new SlackFiles(
    () => this.url,
    (token) => this.callerOf(token),
  );
  /** Messages the app posted, by channel and ts; chat.update changes them in place. */
  readonly messages = new Map<string, PostedMessage>();
  /** What a person has in each view's inputs, as their last interaction with it reported (view id → state values). */
  readonly typed = new Map<string, Json>();
  /** Teams or enterprises the app was removed from through `apps.uninstall`. */
  readonly uninstalled: string[] = [];
  /** What the next consent on the authorize page installs. */
  nextInstall: InstallTarget = { team: { id: 'T0TEAM0001', name: 'Acme Ops' }, userId: 'U0INSTALLER' };
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly refreshTokens = new Map<string, RefreshToken>();
  private readonly codes = new Map<string, { target: InstallTarget; redirectUri?: string; expiresAt: number; used: boolean }>();
  private readonly responseUrls = new Map<string, { channelId?: string; issuedAt: number; uses: number }>();
  private readonly triggers = new Map<string, { issuedAt: number; used: boolean }>();
  private readonly faults: Fault[] = [];
  private readonly latencies = new Map<string, number>();
  private readonly holds: {
    method: string;
    matches: (args: Record<string, unknown>) => boolean;
    arrived: () => void;
    verdict: Promise<'release' | 'drop'>;
    used: boolean;
  }[] = [];
  private server: Server | undefined;
  private port = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      });
    });
    this.server.on('upgrade', (req, socket, head) => {
      if (!this.socketMode.upgrade(req, socket, head)) socket.destroy();
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    await this.socketMode.close();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
    this.server = undefined;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  get authorizeUrl(): string {
    return `${this.url}/oauth/v2/authorize`;
  }

  addUser(user: EmulatedUser): EmulatedUser {
    this.users.set(user.id, user);
    return user;
  }

  /** A trigger id as Slack puts in commands and interactions: valid for 3 seconds, once. */
  newTrigger(): string {
    const id = `${Date.now()}.${randomPart(6)}`;
    this.triggers.set(id, { issuedAt: Date.now(), used: false });
    return id;
  }

  newResponseUrl(channelId?: string): string {
    const id = randomPart(8);
    this.responseUrls.set(id, { channelId, issuedAt: Date.now(), uses: 0 });
    return `${this.url}/response/${id}`;
  }

  /** Ages a response_url past its thirty minutes. */
  expireResponseUrl(url: string): void {
    const entry = this.responseUrls.get(url.slice(url.lastIndexOf('/') + 1));
    if (entry) entry.issuedAt = Date.now() - responseUrlLifetimeMs - 1;
  }

  callsTo(method: string): ApiCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  responsesTo(url: string): ResponsePost[] {
    const id = url.slice(url.lastIndexOf('/') + 1);
    return this.responses.filter((post) => post.id === id);
  }

  /**
   * An install approved on Slack's app-management page (an Enterprise Grid admin, or an app
   * directory install): Slack sends the browser to the redirect URL with a code and no state.
   */
  codeWithoutState(target: InstallTarget, scopes: string[]): string {
    const code = `code-${randomPart(10)}`;
    this.codes.set(code, { target: { ...structuredClone(target), scopes: target.scopes ?? scopes }, expiresAt: Date.now() + 10 * 60_000, used: false });
    return code;
  }

  /** A bot token as an install would grant it, without the browser round trip (for a baseline app). */
  issueBotToken(target: InstallTarget): string {
    return String(this.grant(target, { refreshOnly: false }).access_token);
  }

  /** The next `times` calls to `method` fail with a Slack error (and HTTP status, e.g. 429). */
  failNext(method: string, error: string, options: { times?: number; status?: number; retryAfter?: number } = {}): void {
    this.faults.push({ method, error, times: options.times ?? 1, status: options.status, retryAfter: options.retryAfter });
  }

  /**
   * The next call to `method` whose arguments match is held before Slack does anything with it:
   * `reached` resolves when it arrives; `drop()` then closes its connection unanswered (the call
   * never took effect, as when the caller died with it in flight), `release()` lets it through.
   */
  hold(method: string, matches: (args: Record<string, unknown>) => boolean = () => true): { reached: Promise<void>; release(): void; drop(): void } {
    let arrived: () => void = () => {};
    const reached = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    let decide: (verdict: 'release' | 'drop') => void = () => {};
    const verdict = new Promise<'release' | 'drop'>((resolve) => {
      decide = resolve;
    });
    this.holds.push({ method, matches, arrived, verdict, used: false });
    return { reached, release: () => decide('release'), drop: () => decide('drop') };
  }

  setLatency(method: string, ms: number): void {
    this.latencies.set(method, ms);
  }

  /** Every token of a workspace stops working, as after an uninstall. */
  revokeWorkspace(teamOrEnterpriseId: string): void {
    for (const token of this.tokens.values()) {
      if (token.teamId === teamOrEnterpriseId || token.enterpriseId === teamOrEnterpriseId) token.revoked = true;
    }
  }

  revokeToken(token: string): void {
    const issued = this.tokens.get(token);
    if (issued) issued.revoked = true;
  }

  /** Tokens this emulator handed out: a log line containing one of these is a leak. */
  issuedSecrets(): string[] {
    return [...this.tokens.keys(), ...this.refreshTokens.keys(), this.clientSecret, this.appToken, ...[...this.codes.keys()]];
  }

  refreshCount(): number {
    return this.callsTo('oauth.v2.access').filter((call) => call.args.grant_type === 'refresh_token' && call.ok).length;
  }

  tokenInfo(token: string): IssuedToken | undefined {
    return this.tokens.get(token);
  }

  /** The latest bot token issued for a team or enterprise. */
  latestBotToken(teamOrEnterpriseId: string): string | undefined {
    const matches = [...this.tokens.values()].filter(
      (token) => token.kind === 'bot' && (token.teamId === teamOrEnterpriseId || (token.isEnterpriseInstall && token.enterpriseId === teamOrEnterpriseId)),
    );
    return matches.at(-1)?.token;
  }

  isTokenValid(token: string): boolean {
    const issued = this.tokens.get(token);
    return Boolean(issued && !issued.revoked && (issued.expiresAt === undefined || issued.expiresAt > Date.now()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    if (url.pathname.startsWith('/api/')) return this.handleApi(url.pathname.slice('/api/'.length), req, res);
    if (url.pathname === '/oauth/v2/authorize') return this.authorizePage(url, res);
    if (url.pathname === '/oauth/v2/consent') return this.consent(url, res);
    if (url.pathname.startsWith('/response/')) return this.responseUrl(url.pathname.slice('/response/'.length), req, res);
    if (url.pathname.startsWith('/files-pri/')) return this.files.serveDownload(url.pathname, req, res);
    if (url.pathname.startsWith('/upload/v1/')) return this.files.receiveUpload(url.pathname.slice('/upload/v1/'.length), req, res, await readRawBody(req));
    if (url.pathname === '/') return this.files.signInPage(res);
    res.writeHead(404);
    res.end();
  }

  private authorizePage(url: URL, res: ServerResponse): void {
    const params = url.searchParams;
    if (params.get('client_id') !== this.clientId) {
      res.writeHead(400, { 'content-type': 'text/html' });
      res.end('<h1>Invalid client_id</h1>');
      return;
    }
    const consent = (answer: string) =>
      `/oauth/v2/consent?${new URLSearchParams({ answer, state: params.get('state') ?? '', redirect_uri: params.get('redirect_uri') ?? '', scope: params.get('scope') ?? '' })}`;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html><body><h1>Switchboard is requesting permission</h1>
<p id="scopes">${params.get('scope') ?? ''}</p>
<a id="allow" href="${consent('allow')}">Allow</a> <a id="cancel" href="${consent('cancel')}">Cancel</a></body></html>`);
  }

  private consent(url: URL, res: ServerResponse): void {
    const redirectUri = url.searchParams.get('redirect_uri');
    const state = url.searchParams.get('state') ?? '';
    if (!redirectUri) {
      res.writeHead(400);
      res.end('missing redirect_uri');
      return;
    }
    const target = new URL(redirectUri);
    if (url.searchParams.get('answer') === 'allow') {
      const code = `code-${randomPart(10)}`;
      const install = structuredClone(this.nextInstall);
      install.scopes ??= (url.searchParams.get('scope') ?? '').split(',').filter(Boolean);
      this.codes.set(code, { target: install, redirectUri, expiresAt: Date.now() + 10 * 60_000, used: false });
      target.searchParams.set('code', code);
    } else {
      target.searchParams.set('error', 'access_denied');
    }
    if (state) target.searchParams.set('state', state);
    res.writeHead(302, { location: target.toString() });
    res.end();
  }

  private async responseUrl(id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = JSON.parse((await readBody(req)) || '{}') as Json;
    const issued = this.responseUrls.get(id);
    const refusal = !issued
      ? 'invalid_url'
      : Date.now() - issued.issuedAt > responseUrlLifetimeMs
        ? 'expired_url'
        : issued.uses >= responseUrlUses
          ? 'used_url'
          : undefined;
    if (!issued || refusal) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(refusal);
      return;
    }
    issued.uses += 1;
    const problems = checkMessage(body);
    if (problems.length > 0) this.problems.push(...problems.map((problem) => `response_url: ${problem}`));
    this.responses.push({ id, channelId: issued.channelId, body, at: Date.now() });
    res.writeHead(problems.length ? 400 : 200, { 'content-type': 'text/plain' });
    res.end(problems.length ? 'invalid_blocks' : 'ok');
  }

  private async handleApi(method: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const args = parseArgs(raw, String(req.headers['content-type'] ?? ''));
    const header = req.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7) : typeof args.token === 'string' ? args.token : undefined;
    const latency = this.latencies.get(method);
    if (latency) await new Promise((resolve) => setTimeout(resolve, latency));
    const held = this.holds.find((candidate) => !candidate.used && candidate.method === method && candidate.matches(args));
    if (held) {
      held.used = true;
      held.arrived();
      if ((await held.verdict) === 'drop') {
        res.destroy();
        return;
      }
    }

    const fault = this.faults.find((candidate) => candidate.method === method && candidate.times > 0);
    let result: Json;
    let status = 200;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (fault) {
      fault.times -= 1;
      status = fault.status ?? 200;
      if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
      result = { ok: false, error: fault.error };
    } else {
      result = this.dispatch(method, args, token);
    }
    this.calls.push({ method, args, token, ok: result.ok === true, error: result.ok ? undefined : result.error, at: Date.now() });
    res.writeHead(status, headers);
    res.end(JSON.stringify(result));
  }

  private dispatch(method: string, args: Json, token: string | undefined): Json {
    if (method === 'oauth.v2.access') return this.oauthAccess(args);
    if (token?.startsWith('xapp-')) {
      if (token !== this.appToken) return { ok: false, error: 'invalid_auth' };
      return method === 'apps.connections.open' ? { ok: true, url: this.socketMode.openUrl() } : { ok: false, error: 'not_allowed_token_type' };
    }
    const issued = token ? this.tokens.get(token) : undefined;
    if (!token) return { ok: false, error: 'not_authed' };
    if (!issued) return { ok: false, error: 'invalid_auth' };
    if (issued.revoked) return { ok: false, error: 'token_revoked' };
    if (issued.expiresAt !== undefined && issued.expiresAt <= Date.now()) return { ok: false, error: 'token_expired' };
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: issued.isEnterpriseInstall ? 'https://acme-grid.enterprise.slack.com/' : 'https://acme.slack.com/',
          team: issued.teamName ?? '',
          user: 'switchboard',
          team_id: issued.teamId ?? '',
          user_id: issued.kind === 'bot' ? issued.botUserId : issued.userId,
          bot_id: issued.botId,
          enterprise_id: issued.enterpriseId,
          is_enterprise_install: issued.isEnterpriseInstall,
        };
      case 'users.info': {
        if (!issued.scopes.has('users:read')) return { ok: false, error: 'missing_scope', needed: 'users:read' };
        // A person of another workspace does not exist for this token (in a Grid org, the org's people do).
        const user = this.users.get(String(args.user));
        const visible = user && (user.teamId === issued.teamId || (issued.enterpriseId !== undefined && user.enterprise?.id === issued.enterpriseId));
        if (!user || !visible) return { ok: false, error: 'user_not_found' };
        return { ok: true, user: this.userObject(user, issued) };
      }
      case 'views.open':
      case 'views.push':
        return this.openView(args, method === 'views.push', issued);
      case 'views.update':
        return this.updateView(args, issued);
      case 'views.publish':
        return this.publishView(args);
      case 'chat.postMessage':
      case 'chat.postEphemeral': {
        if (!args.channel) return { ok: false, error: 'channel_not_found' };
        if (!issued.scopes.has('chat:write')) return { ok: false, error: 'missing_scope', needed: 'chat:write' };
        // A user id as the channel posts in the app's DM with that person (Slack opens it).
        const channel =
          String(args.channel).startsWith('U') && this.users.has(String(args.channel))
            ? this.channels.directMessage(String(args.channel), issued.botUserId).id
            : String(args.channel);
        const refusal = method === 'chat.postMessage' ? this.channels.refusalToPost(channel, issued) : undefined;
        if (refusal) return { ok: false, error: refusal };
        const problems = checkMessage(args);
        if (problems.length) return this.invalid(method, problems);
        const ts = `${Math.floor(Date.now() / 1000)}.${String(this.messages.size).padStart(6, '0')}`;
        if (method === 'chat.postEphemeral') return { ok: true, message_ts: ts };
        this.messages.set(`${channel}/${ts}`, { channel, ts, text: String(args.text ?? ''), blocks: args.blocks, botUserId: issued.botUserId, updates: 0 });
        return { ok: true, channel, ts, message: { text: args.text, blocks: args.blocks, ts } };
      }
      case 'chat.update': {
        const message = this.messages.get(`${String(args.channel)}/${String(args.ts)}`);
        if (!message) return { ok: false, error: 'message_not_found' };
        if (message.botUserId !== issued.botUserId) return { ok: false, error: 'cant_update_message' };
        const problems = checkMessage(args);
        if (problems.length) return this.invalid(method, problems);
        Object.assign(message, { text: String(args.text ?? ''), blocks: args.blocks, updates: message.updates + 1 });
        return { ok: true, channel: message.channel, ts: message.ts, text: message.text };
      }
      case 'conversations.info':
        return this.channels.info(String(args.channel ?? ''), issued);
      case 'conversations.join':
        return this.channels.join(String(args.channel ?? ''), issued);
      case 'users.list':
        return this.listUsers(args, issued);
      case 'users.lookupByEmail': {
        if (!issued.scopes.has('users:read.email')) return { ok: false, error: 'missing_scope', needed: 'users:read.email' };
        const user = [...this.users.values()].find((candidate) => candidate.email === args.email && this.sees(issued, candidate));
        return user ? { ok: true, user: this.userObject(user, issued) } : { ok: false, error: 'users_not_found' };
      }
      case 'auth.teams.list': {
        const teams = issued.isEnterpriseInstall
          ? [...new Set([...this.users.values()].filter((user) => user.enterprise?.id === issued.enterpriseId).map((user) => user.teamId))]
          : [issued.teamId ?? ''];
        return { ok: true, teams: teams.map((id) => ({ id, name: id })), response_metadata: { next_cursor: '' } };
      }
      case 'auth.revoke':
        issued.revoked = true;
        return { ok: true, revoked: true };
      case 'apps.uninstall': {
        if (args.client_id !== this.clientId || args.client_secret !== this.clientSecret) return { ok: false, error: 'invalid_client_id' };
        this.revokeWorkspace(issued.isEnterpriseInstall ? (issued.enterpriseId ?? '') : (issued.teamId ?? ''));
        this.uninstalled.push(issued.isEnterpriseInstall ? (issued.enterpriseId ?? '') : (issued.teamId ?? ''));
        return { ok: true };
      }
      case 'files.info':
        return this.files.info(args, issued);
      case 'files.getUploadURLExternal':
        return this.checked(method, this.files.getUploadURL(args, issued));
      case 'files.completeUploadExternal':
        return this.completeUpload(args, issued);
      case 'conversations.open': {
        if (!issued.scopes.has('im:write')) return { ok: false, error: 'missing_scope', needed: 'im:write' };
        const users = String(args.users ?? '');
        if (!users) return { ok: false, error: 'users_list_not_supplied' };
        return { ok: true, channel: { id: this.channels.directMessage(users.split(',')[0] ?? '', issued.botUserId).id } };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  /** The token's installation, when Slack would take the token (files on the file host check it too). */
  private callerOf(token: string | undefined): Caller | undefined {
    const issued = token ? this.tokens.get(token) : undefined;
    return issued && this.isTokenValid(issued.token) ? issued : undefined;
  }

  /** An `invalid_arguments` answer from a files method is the app's mistake: recorded like a Block Kit one. */
  private checked(method: string, result: Json): Json {
    return result.error === 'invalid_arguments' ? this.invalid(method, [String(result.problem ?? 'invalid arguments')]) : result;
  }

  /** The upload is shared in the channel as a message of the bot's, as Slack shows a file share. */
  private completeUpload(args: Json, issued: IssuedToken): Json {
    const result = this.checked(
      'files.completeUploadExternal',
      this.files.complete(args, issued, (channelId) => this.channels.refusalToPost(channelId, issued), this.problems),
    );
    const channel = args.channel_id === undefined ? undefined : String(args.channel_id);
    if (result.ok && channel) {
      const ts = `${Math.floor(Date.now() / 1000)}.${String(this.messages.size).padStart(6, '0')}`;
      const files = (result.files as Json[]).map((file) => String(file.id));
      this.messages.set(`${channel}/${ts}`, { channel, ts, text: String(args.initial_comment ?? ''), botUserId: issued.botUserId, updates: 0, files });
    }
    return result;
  }

  /** A user as users.info and users.list show it to this token: the email only with users:read.email. */
  private userObject(user: EmulatedUser, issued: IssuedToken): Json {
    return {
      id: user.id,
      team_id: user.teamId,
      name: user.name ?? user.id,
      real_name: user.name ?? user.id,
      deleted: Boolean(user.deleted),
      is_admin: Boolean(user.isAdmin),
      is_owner: Boolean(user.isOwner),
      is_primary_owner: false,
      is_bot: Boolean(user.isBot),
      is_app_user: false,
      profile: {
        real_name: user.name ?? user.id,
        display_name: user.name ?? '',
        ...(user.email && issued.scopes.has('users:read.email') ? { email: user.email } : {}),
      },
      ...(user.enterprise
        ? {
            enterprise_user: {
              id: user.id,
              enterprise_id: user.enterprise.id,
              enterprise_name: 'Acme Grid',
              is_admin: Boolean(user.enterprise.isAdmin),
              is_owner: Boolean(user.enterprise.isOwner),
              is_primary_owner: false,
              teams: [user.teamId],
            },
          }
        : {}),
    };
  }

  /** Whether a token's installation can see this person: its workspace, or for an org-wide install its org. */
  private sees(issued: IssuedToken, user: EmulatedUser): boolean {
    return issued.isEnterpriseInstall ? user.enterprise?.id === issued.enterpriseId : user.teamId === issued.teamId;
  }

  /**
   * users.list: every member of the workspace, deleted ones and bots included (Slackbot and the
   * app's own bot user among them), a page at a time by cursor. An org-level token names the
   * workspace with `team_id` (Slack: "required if org token is used").
   */
  private listUsers(args: Json, issued: IssuedToken): Json {
    if (!issued.scopes.has('users:read')) return { ok: false, error: 'missing_scope', needed: 'users:read' };
    if (issued.isEnterpriseInstall && !args.team_id) return { ok: false, error: 'missing_argument' };
    const teamId = issued.isEnterpriseInstall ? String(args.team_id) : (issued.teamId ?? '');
    const slackbot: EmulatedUser = { id: 'USLACKBOT', teamId, name: 'slackbot' };
    const ownBot: EmulatedUser = { id: issued.botUserId, teamId, name: 'switchboard', isBot: true };
    const members = [slackbot, ownBot, ...[...this.users.values()].filter((user) => this.sees(issued, user) && user.teamId === teamId)];
    const limit = Math.min(Number(args.limit ?? 0) || members.length, 1000);
    const start = args.cursor ? Number(Buffer.from(String(args.cursor), 'base64').toString('utf8').replace('offset:', '')) : 0;
    if (!Number.isInteger(start) || start < 0 || start > members.length) return { ok: false, error: 'invalid_cursor' };
    const page = members.slice(start, start + limit);
    const next = start + limit < members.length ? Buffer.from(`offset:${start + limit}`).toString('base64') : '';
    return {
      ok: true,
      members: page.map((user) => this.userObject(user, issued)),
      cache_ts: Math.floor(Date.now() / 1000),
      response_metadata: { next_cursor: next },
    };
  }

  private invalid(method: string, problems: string[]): Json {
    this.problems.push(...problems.map((problem) => `${method}: ${problem}`));
    return { ok: false, error: 'invalid_arguments', response_metadata: { messages: problems.map((problem) => `[ERROR] ${problem}`) } };
  }

  private useTrigger(triggerId: unknown): Json | undefined {
    const trigger = typeof triggerId === 'string' ? this.triggers.get(triggerId) : undefined;
    if (!trigger) return { ok: false, error: 'invalid_trigger_id' };
    if (trigger.used) return { ok: false, error: 'exchanged_trigger_id' };
    if (Date.now() - trigger.issuedAt > 3000) {
      this.problems.push(`trigger ${String(triggerId)} used after ${Date.now() - trigger.issuedAt} ms`);
      return { ok: false, error: 'expired_trigger_id' };
    }
    trigger.used = true;
    return undefined;
  }

  /** The modal opened with this trigger, if one was. */
  viewOpenedBy(triggerId: string | undefined): EmulatedView | undefined {
    const viewId = triggerId ? this.viewsByTrigger.get(triggerId) : undefined;
    return viewId ? this.views.get(viewId) : undefined;
  }

  /**
   * A `response_action: update` in a view submission's acknowledgement replaces the view, as
   * Slack does — unless the app already updated it through the API since (then that one stands).
   */
  applyAcknowledgedUpdate(viewId: string, hashAtSubmission: string, view: Json): void {
    const existing = this.views.get(viewId);
    if (!existing || existing.hash !== hashAtSubmission) return;
    this.views.set(viewId, this.storeView(view, existing));
  }

  private storeView(view: Json, existing?: EmulatedView): EmulatedView {
    const stored: EmulatedView = {
      ...view,
      id: existing?.id ?? `V${randomPart(5).toUpperCase()}`,
      hash: `${Date.now()}.${randomPart(4)}`,
      type: view.type,
      state: { values: {} },
      private_metadata: view.private_metadata ?? '',
      callback_id: view.callback_id ?? '',
      root_view_id: existing?.root_view_id ?? existing?.id ?? null,
      app_id: this.appId,
    };
    if (!stored.root_view_id) stored.root_view_id = stored.id;
    return stored;
  }

  private openView(args: Json, push: boolean, issued: IssuedToken): Json {
    const triggerProblem = this.useTrigger(args.trigger_id);
    if (triggerProblem) return triggerProblem;
    const problems = checkView(args.view);
    if (args.view?.type !== 'modal') problems.push('views.open needs a modal view');
    if (problems.length) return this.invalid(push ? 'views.push' : 'views.open', problems);
    const view = this.storeView(args.view);
    this.views.set(view.id, view);
    this.viewOwners.set(view.id, ownerOf(issued));
    this.viewsByTrigger.set(String(args.trigger_id), view.id);
    return { ok: true, view };
  }

  private updateView(args: Json, issued: IssuedToken): Json {
    const existing = args.view_id
      ? this.views.get(String(args.view_id))
      : [...this.views.values()].find((view) => view.external_id && view.external_id === args.external_id);
    // A view belongs to the workspace it was opened in: another workspace's token does not find it.
    if (!existing || (this.viewOwners.has(existing.id) && this.viewOwners.get(existing.id) !== ownerOf(issued))) return { ok: false, error: 'not_found' };
    if (args.hash && args.hash !== existing.hash) return { ok: false, error: 'hash_conflict' };
    const problems = checkView(args.view);
    if (problems.length) return this.invalid('views.update', problems);
    this.problems.push(...keptInputs(existing, args.view, this.typed.get(existing.id) ?? {}));
    const view = this.storeView(args.view, existing);
    this.views.set(view.id, view);
    return { ok: true, view };
  }

  private publishView(args: Json): Json {
    const problems = checkView(args.view);
    if (args.view?.type !== 'home') problems.push('views.publish needs a home view');
    if (!args.user_id) problems.push('views.publish needs user_id');
    if (problems.length) return this.invalid('views.publish', problems);
    const existing = this.homeViews.get(String(args.user_id));
    if (args.hash && existing && args.hash !== existing.hash) return { ok: false, error: 'hash_conflict' };
    const view = this.storeView(args.view, existing);
    this.homeViews.set(String(args.user_id), view);
    return { ok: true, view };
  }

  private oauthAccess(args: Json): Json {
    if (args.client_id !== this.clientId || args.client_secret !== this.clientSecret) return { ok: false, error: 'invalid_client_id' };
    if (args.grant_type === 'refresh_token') {
      const refresh = this.refreshTokens.get(String(args.refresh_token));
      if (!refresh || refresh.used) return { ok: false, error: 'invalid_refresh_token' };
      refresh.used = true;
      return this.grant(refresh.target, { refreshOnly: true });
    }
    const code = this.codes.get(String(args.code));
    if (!code) return { ok: false, error: 'invalid_code' };
    if (code.used) return { ok: false, error: 'code_already_used' };
    if (code.expiresAt < Date.now()) return { ok: false, error: 'invalid_code' };
    if (code.redirectUri && args.redirect_uri && args.redirect_uri !== code.redirectUri) return { ok: false, error: 'bad_redirect_uri' };
    code.used = true;
    return this.grant(code.target, { refreshOnly: false });
  }

  private grant(target: InstallTarget, { refreshOnly }: { refreshOnly: boolean }): Json {
    const org = Boolean(target.isEnterpriseInstall);
    const owner = org ? target.enterprise?.id : target.team?.id;
    const botToken = `xoxb-${owner}-${randomPart()}`;
    const lifetime = refreshOnly ? (target.rotation?.refreshedExpiresIn ?? target.rotation?.expiresIn) : target.rotation?.expiresIn;
    const issued: IssuedToken = {
      token: botToken,
      kind: 'bot',
      teamId: org ? undefined : target.team?.id,
      teamName: org ? undefined : target.team?.name,
      enterpriseId: target.enterprise?.id,
      isEnterpriseInstall: org,
      userId: target.userId,
      botId: `B${owner}`,
      botUserId: `U${owner}BOT`,
      scopes: new Set(target.scopes ?? []),
      expiresAt: lifetime ? Date.now() + lifetime * 1000 : undefined,
      revoked: false,
    };
    this.tokens.set(botToken, issued);
    let refreshToken: string | undefined;
    if (target.rotation) {
      refreshToken = `xoxe-1-${randomPart(16)}`;
      this.refreshTokens.set(refreshToken, { token: refreshToken, target: structuredClone(target), used: false });
    }
    if (refreshOnly) {
      return {
        ok: true,
        access_token: botToken,
        refresh_token: refreshToken,
        expires_in: lifetime,
        token_type: 'bot',
        team: target.team ?? null,
        enterprise: target.enterprise ?? null,
      };
    }
    return {
      ok: true,
      app_id: this.appId,
      authed_user: { id: target.userId },
      scope: (target.scopes ?? []).join(','),
      token_type: 'bot',
      access_token: botToken,
      bot_user_id: issued.botUserId,
      team: org ? null : (target.team ?? null),
      enterprise: target.enterprise ?? null,
      is_enterprise_install: org,
      ...(refreshToken ? { refresh_token: refreshToken, expires_in: lifetime } : {}),
    };
  }
}

/**
 * Slack keeps what a person typed into an input when an update reuses its block_id and action_id,
 * whatever the new `initial_value` says: an app that means to replace a value must give the input
 * a new block_id. An update that tries to change a value that way would show the old one.
 */
function keptInputs(before: Json, after: Json, typed: Json): string[] {
  const inputs = (view: Json) =>
    new Map<string, Json>((view.blocks ?? []).filter((block: Json) => block.type === 'input').map((block: Json) => [block.block_id, block.element]));
  const old = inputs(before);
  const problems: string[] = [];
  for (const [blockId, element] of inputs(after)) {
    const previous = old.get(blockId);
    if (!previous || previous.action_id !== element?.action_id || element?.initial_value === undefined) continue;
    const shown = typed[blockId]?.[element.action_id]?.value ?? previous.initial_value;
    if ((shown ?? '') !== element.initial_value) {
      problems.push(`views.update: input ${blockId} keeps what was typed ("${shown ?? ''}"); its new initial_value is not shown (give it a new block_id)`);
    }
  }
  return problems;
}

/** The installation a token belongs to: the org for an org-wide install, else the workspace. */
function ownerOf(issued: IssuedToken): string {
  return issued.isEnterpriseInstall ? `E:${issued.enterpriseId}` : `T:${issued.teamId}`;
}

function readRawBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** WebClient sends form fields, with objects such as `view` and `blocks` JSON-encoded inside them. */
function parseArgs(raw: string, contentType: string): Json {
  if (!raw) return {};
  if (contentType.includes('application/json')) return JSON.parse(raw) as Json;
  const args: Json = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    if ((value.startsWith('{') || value.startsWith('[')) && ['view', 'blocks', 'attachments', 'metadata'].includes(key)) {
      try {
        args[key] = JSON.parse(value);
        continue;
      } catch {
        // leave as text
      }
    }
    args[key] = value;
  }
  return args;
}
