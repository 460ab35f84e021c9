import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { TerminalJobError } from '../../../jobs/queue.js';
import { fileProblems } from './messages.js';

/**
 * Reading a file someone uploaded through the form.
 *
 * - `files.info` (scope `files:read`) with the tenant's own bot token: a file of another workspace
 *   is `file_not_found` for it, so a forged submission cannot read another tenant's upload.
 * - The bytes come from `url_private_download` with the bot token as a Bearer header. Without a
 *   token Slack will take, it does not fail: it redirects to the workspace's sign-in page
 *   (`302 Found`, `…slack.com/?redir=/files-pri/…`, node-slack-sdk#1750) or serves that page with a
 *   200 (bolt-js#2585). Redirects are not followed (the token would go along), and an HTML answer
 *   is a refusal, never data.
 * - The token only ever goes to Slack's file host (or the configured API host, for tests and
 *   gateways).
 */
export const slackFileHost = 'https://files.slack.com';

const fileInfo = z.object({
  file: z.looseObject({
    id: z.string(),
    name: z.string().nullish(),
    filetype: z.string().nullish(),
    size: z.number().nullish(),
    url_private_download: z.string().nullish(),
    url_private: z.string().nullish(),
  }),
});

export interface DownloadLimits {
  maxBytes: number;
  timeoutMs: number;
  /** Origins the bot token may be sent to. */
  trustedOrigins: readonly string[];
}

/** The text of an uploaded file, as the tenant's bot sees it. Transient failures throw for a retry; refusals are terminal. */
export async function downloadUploadedFile(client: WebClient, token: string, fileId: string, limits: DownloadLimits): Promise<string> {
  const file = await describeFile(client, fileId);
  if (typeof file.size === 'number' && file.size > limits.maxBytes) throw new TerminalJobError(fileProblems.tooLarge(limits.maxBytes));
  const address = file.url_private_download ?? file.url_private;
  if (!address) throw new TerminalJobError('Slack did not give Switchboard an address to download the file from.');
  if (!URL.canParse(address) || !limits.trustedOrigins.includes(new URL(address).origin))
    throw new TerminalJobError('The file is not stored on Slack’s file host, so Switchboard did not fetch it.');
  const response = await fetch(address, {
    headers: { authorization: `Bearer ${token}` },
    redirect: 'manual',
    signal: AbortSignal.timeout(limits.timeoutMs),
  });
  if (response.status >= 300 && response.status < 400) throw new TerminalJobError(signInPage);
  if (response.status === 404) throw new TerminalJobError('Slack no longer has the file (was it deleted?). Upload it again.');
  if (!response.ok) throw new Error(`Slack's file host answered ${response.status}`);
  if ((response.headers.get('content-type') ?? '').toLowerCase().includes('text/html')) throw new TerminalJobError(signInPage);
  return decodeText(await readAtMost(response, limits.maxBytes));
}

const signInPage =
  'Slack would not let Switchboard download the file (it answered with its sign-in page). Reinstall Switchboard so it has the files:read permission, then upload the file again.';

async function describeFile(client: WebClient, fileId: string): Promise<z.infer<typeof fileInfo>['file']> {
  try {
    return fileInfo.parse(await client.files.info({ file: fileId })).file;
  } catch (error) {
    const slackError = (error as { data?: { error?: string } }).data?.error;
    if (slackError === 'file_not_found' || slackError === 'file_deleted') {
      throw new TerminalJobError('Slack has no such file in this workspace (was it deleted?). Upload it again.');
    }
    if (slackError === 'missing_scope' || slackError === 'no_permission') throw new TerminalJobError(signInPage);
    throw error;
  }
}

async function readAtMost(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new TerminalJobError(fileProblems.tooLarge(maxBytes));
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (!response.body) return new Uint8Array();
  for await (const chunk of response.body) {
    total += chunk.byteLength;
    if (total > maxBytes) throw new TerminalJobError(fileProblems.tooLarge(maxBytes));
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** UTF-8 (Excel's "CSV UTF-8", Google Sheets, Numbers); else Windows-1252, which Excel's plain "CSV" writes on Windows. */
function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}
