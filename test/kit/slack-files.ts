import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Poster } from './slack-channels.js';

/**
 * Files as Slack keeps them, for the emulator: what people upload through a modal's `file_input`,
 * what the app uploads, `files.info`, the download URLs, and the external upload flow. Sources:
 *
 * - file_input (docs.slack.dev/reference/block-kit/block-elements/file-input-element): the app
 *   needs `files:read`; files up to 10 MB. On view_submission the input's state is
 *   `{type: 'file_input', files: [file…]}` (bolt-js#1995; bolt's `UploadedFile`: id, created,
 *   timestamp, name, title, filetype, mimetype, permalink, url_private, url_private_download, user,
 *   user_team, size…).
 * - files.info (slack-ruby/slack-api-ref methods/files/files.info.json): `file_not_found` for a
 *   file the token's workspace does not have, `file_deleted`; the file object as above.
 * - Downloads: `url_private(_download)` with `Authorization: Bearer <token>`. Without a token
 *   Slack takes, it redirects (`302 Found`) to `https://<workspace>.slack.com/?redir=/files-pri/…`
 *   (node-slack-sdk#1750), whose page is HTML with a 200 (bolt-js#2585, chenhg5/cc-connect#204):
 *   never an error status.
 * - files.getUploadURLExternal (docs.slack.dev/reference/methods/files.getUploadURLExternal;
 *   slack-api-ref files.getUploadURLExternal.json): `filename` and `length` required, scope
 *   `files:write`; `missing_argument` when `length` is 0. The bytes are POSTed to `upload_url`, raw
 *   or multipart; 200 means received.
 * - files.completeUploadExternal (docs.slack.dev/reference/methods/files.completeUploadExternal;
 *   slack-api-ref files.completeUploadExternal.json): `files` (JSON array of `{id, title?}`)
 *   required; `channel_id` optional (without it the file stays private) and a channel id, not a
 *   user id (bolt-js#2115, python-slack-sdk#1426: `invalid_arguments` for a `U…`); `file_not_found`
 *   when the upload ticket has no file; `invalid_channel` where the bot cannot post.
 */
type Json = Record<string, any>;

export interface EmulatedFile {
  id: string;
  teamId: string;
  enterpriseId?: string;
  userId: string;
  name: string;
  title: string;
  filetype: string;
  mimetype: string;
  bytes: Buffer;
  created: number;
  /** Conversations it was shared in (app uploads). */
  channels: string[];
  /** For an app upload: the length announced to files.getUploadURLExternal; `received` once the bytes came. */
  upload?: { length: number; received: boolean; completed: boolean };
  deleted?: boolean;
}

export interface FileDownload {
  fileId: string;
  /** False when Slack would have answered with its sign-in page. */
  served: boolean;
  at: number;
}

export type Caller = Poster & { userId: string };

/** Slack's largest file_input upload. */
const maxUploadBytes = 10 * 1024 * 1024;
const channelIdPattern = /^[CGDZ][A-Z0-9]+$/;

const extensionTypes: Record<string, { filetype: string; mimetype: string }> = {
  csv: { filetype: 'csv', mimetype: 'text/csv' },
  txt: { filetype: 'text', mimetype: 'text/plain' },
  xlsx: { filetype: 'xlsx', mimetype: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
};

export class SlackFiles {
  readonly files = new Map<string, EmulatedFile>();
  readonly downloads: FileDownload[] = [];

  constructor(
    private readonly baseUrl: () => string,
    /** The installation behind a token, when Slack would take the token. */
    private readonly callerOf: (token: string | undefined) => Caller | undefined,
  ) {}

  /** A file a person uploaded through a file_input: the object the view_submission state carries. */
  addUpload(upload: { teamId: string; userId: string; name: string; content: string | Buffer; enterpriseId?: string }): Json {
    const extension = upload.name.split('.').pop()?.toLowerCase() ?? '';
    const type = extensionTypes[extension] ?? { filetype: 'binary', mimetype: 'application/octet-stream' };
    const bytes = Buffer.isBuffer(upload.content) ? upload.content : Buffer.from(upload.content, 'utf8');
    if (bytes.length > maxUploadBytes) throw new Error('Slack takes files up to 10 MB in a file_input');
    const file: EmulatedFile = {
      id: newFileId(),
      teamId: upload.teamId,
      enterpriseId: upload.enterpriseId,
      userId: upload.userId,
      name: upload.name,
      title: upload.name,
      ...type,
      bytes,
      created: Math.floor(Date.now() / 1000),
      channels: [],
    };
    this.files.set(file.id, file);
    return this.describe(file);
  }

  /** What the app shared: completed uploads, with their text. */
  shared(channelId?: string): (EmulatedFile & { text: string })[] {
    return [...this.files.values()]
      .filter((file) => file.upload?.completed && (!channelId || file.channels.includes(channelId)))
      .map((file) => ({ ...file, text: file.bytes.toString('utf8') }));
  }

  describe(file: EmulatedFile): Json {
    const base = this.baseUrl();
    const path = `/files-pri/${file.teamId}-${file.id}`;
    const encodedName = encodeURIComponent(file.name);
    return {
      id: file.id,
      created: file.created,
      timestamp: file.created,
      name: file.name,
      title: file.title,
      mimetype: file.mimetype,
      filetype: file.filetype,
      pretty_type: file.filetype.toUpperCase(),
      user: file.userId,
      user_team: file.teamId,
      editable: false,
      size: file.bytes.length,
      mode: 'hosted',
      is_external: false,
      external_type: '',
      is_public: false,
      public_url_shared: false,
      display_as_bot: false,
      username: '',
      url_private: `${base}${path}/${encodedName}`,
      url_private_download: `${base}${path}/download/${encodedName}`,
      permalink: `${base}/files/${file.userId}/${file.id}/${encodedName}`,
      channels: file.channels.filter((id) => id.startsWith('C')),
      groups: file.channels.filter((id) => id.startsWith('G')),
      ims: file.channels.filter((id) => id.startsWith('D')),
      has_rich_preview: false,
    };
  }

  private visibleTo(file: EmulatedFile, caller: Caller): boolean {
    if (file.deleted) return false;
    return caller.isEnterpriseInstall ? file.enterpriseId === caller.enterpriseId : file.teamId === caller.teamId;
  }

  info(args: Json, caller: Caller): Json {
    if (!caller.scopes.has('files:read')) return { ok: false, error: 'missing_scope', needed: 'files:read' };
    const file = this.files.get(String(args.file ?? ''));
    if (!file || !this.visibleTo(file, caller)) return { ok: false, error: 'file_not_found' };
    return { ok: true, file: this.describe(file), comments: [], response_metadata: { next_cursor: '' } };
  }

  getUploadURL(args: Json, caller: Caller): Json {
    if (!caller.scopes.has('files:write')) return { ok: false, error: 'missing_scope', needed: 'files:write' };
    const filename = typeof args.filename === 'string' ? args.filename : '';
    const length = Number(args.length);
    if (!filename || args.length === undefined) return { ok: false, error: 'invalid_arguments', problem: 'filename and length are required' };
    if (!Number.isInteger(length) || length < 0) return { ok: false, error: 'invalid_arguments', problem: 'length must be an integer' };
    if (length === 0) return { ok: false, error: 'missing_argument' };
    if (typeof args.alt_txt === 'string' && args.alt_txt.length > 1000) return { ok: false, error: 'alt_txt_too_large' };
    const extension = filename.split('.').pop()?.toLowerCase() ?? '';
    const file: EmulatedFile = {
      id: newFileId(),
      teamId: caller.teamId ?? '',
      enterpriseId: caller.enterpriseId,
      userId: caller.botUserId,
      name: filename,
      title: filename,
      ...(extensionTypes[extension] ?? { filetype: 'binary', mimetype: 'application/octet-stream' }),
      bytes: Buffer.alloc(0),
      created: Math.floor(Date.now() / 1000),
      channels: [],
      upload: { length, received: false, completed: false },
    };
    this.files.set(file.id, file);
    return { ok: true, upload_url: `${this.baseUrl()}/upload/v1/${file.id}`, file_id: file.id };
  }

  /** Problems go to the emulator's list (a mismatch is the app's bug); the answer is Slack's. */
  complete(args: Json, caller: Caller, refusalToPost: (channelId: string) => string | undefined, problems: string[]): Json {
    if (!caller.scopes.has('files:write')) return { ok: false, error: 'missing_scope', needed: 'files:write' };
    let entries: unknown;
    try {
      entries = typeof args.files === 'string' ? JSON.parse(args.files) : args.files;
    } catch {
      return { ok: false, error: 'invalid_arguments', problem: 'files is not JSON' };
    }
    if (!Array.isArray(entries) || entries.length === 0 || !entries.every((entry) => typeof entry?.id === 'string')) {
      return { ok: false, error: 'invalid_arguments', problem: 'files must be an array of {id, title?}' };
    }
    const channelId = args.channel_id === undefined ? undefined : String(args.channel_id);
    if (channelId !== undefined && !channelIdPattern.test(channelId))
      return { ok: false, error: 'invalid_arguments', problem: 'channel_id must be a channel id' };
    if (args.thread_ts !== undefined && channelId === undefined) return { ok: false, error: 'invalid_arguments', problem: 'thread_ts needs channel_id' };
    if (channelId !== undefined && refusalToPost(channelId)) return { ok: false, error: 'invalid_channel' };
    const files: EmulatedFile[] = [];
    for (const entry of entries as Json[]) {
      const file = this.files.get(entry.id);
      const upload = file?.upload;
      if (!file || !upload?.received || !this.visibleTo(file, caller)) return { ok: false, error: 'file_not_found' };
      if (file.bytes.length !== upload.length)
        problems.push(`files.completeUploadExternal: ${file.id} announced ${upload.length} bytes, received ${file.bytes.length}`);
      files.push(file);
    }
    for (const [index, file] of files.entries()) {
      const title = (entries as Json[])[index]?.title;
      if (typeof title === 'string' && title) file.title = title;
      if (file.upload) file.upload.completed = true;
      if (channelId) file.channels.push(channelId);
    }
    return { ok: true, files: files.map((file) => this.describe(file)) };
  }

  /** `GET /files-pri/<team>-<id>/[download/]<name>`: the bytes for a token of the file's workspace, else Slack's redirect to sign in. */
  serveDownload(path: string, req: IncomingMessage, res: ServerResponse): void {
    const match = /^\/files-pri\/[^/]+-(F[A-Z0-9]+)\/(?:download\/)?[^/]+$/.exec(path);
    const file = match ? this.files.get(match[1] ?? '') : undefined;
    const header = req.headers.authorization;
    const caller = this.callerOf(header?.startsWith('Bearer ') ? header.slice(7) : undefined);
    const allowed = Boolean(file && caller?.scopes.has('files:read') && this.visibleTo(file, caller));
    if (file) this.downloads.push({ fileId: file.id, served: allowed, at: Date.now() });
    if (!file || !allowed) {
      const location = `${this.baseUrl()}/?redir=${encodeURIComponent(path)}`;
      res.writeHead(302, { location, 'content-type': 'text/html; charset=utf-8' });
      res.end(`<a href="${location}">Found</a>.`);
      return;
    }
    res.writeHead(200, { 'content-type': file.mimetype, 'content-length': String(file.bytes.length) });
    res.end(file.bytes);
  }

  /** The page a browser (or a client without a token) lands on. */
  signInPage(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!DOCTYPE html><html lang="en-US"><head><title>Slack</title></head><body>Sign in to your workspace</body></html>');
  }

  /** `POST /upload/v1/<file id>`: the bytes of an app upload, raw or multipart. */
  async receiveUpload(fileId: string, req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> {
    const file = this.files.get(fileId);
    if (!file?.upload || file.upload.completed) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    const contentType = String(req.headers['content-type'] ?? '');
    file.bytes = contentType.startsWith('multipart/form-data') ? await firstFilePart(raw, contentType) : raw;
    file.upload.received = true;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`OK - ${file.bytes.length}`);
  }
}

async function firstFilePart(raw: Buffer, contentType: string): Promise<Buffer> {
  const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
  for (const value of form.values()) {
    if (typeof value !== 'string') return Buffer.from(await value.arrayBuffer());
  }
  const [first] = [...form.values()];
  return Buffer.from(typeof first === 'string' ? first : '', 'utf8');
}

function newFileId(): string {
  return `F${randomBytes(5).toString('hex').toUpperCase()}`;
}
