import { WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCsv } from '../../../src/features/bulk/csv.js';
import { downloadUploadedFile } from '../../../src/features/phone/bulk/slack-files.js';
import { endpointIdentifier } from '../../../src/features/phone/endpoint-jobs.js';
import { botScopeNames } from '../../../src/slack/scopes.js';
import { teamKey } from '../../../src/store/workspace-key.js';
import { eventually, type Harness, startHarness, team } from '../../kit/harness.js';
import type { PostedMessage } from '../../kit/slack-emulator.js';
import { webApiResponseProblems } from '../../kit/slack-schemas.js';
import type { Actor } from '../../kit/slack-sender.js';
import { acme, globex, startWorld, type World } from '../../tenancy/world.js';

/**
 * `/phone import-csv` end to end, over real HTTP: the modal's file_input, the download from
 * Slack's file host with the bot token, the dry run in the requester's DM (its problems, and all of
 * them as a CSV file), one register job per row after Confirm, progress, the summary with the
 * failures as a CSV file, a second run of the same file, a restart in the middle, Novu's 429/500s
 * and a permanent 4xx, permissions, and another workspace's forged clicks and file.
 */
let h: Harness;
let world: World | undefined;
afterEach(async () => {
  await h?.stop();
  world = undefined;
});

const endpointsPath = '/v1/channel-endpoints';
const endpointPosts = () => h.novu.requestsTo('POST', endpointsPath);
const created = () => endpointPosts().filter((request) => request.status === 201);

const dmOf = (actor: Actor) => `D${actor.userId.slice(1)}`;
/** The newest import message in the person's DM with the app (file shares are messages too; those are left out). */
const runMessage = (actor: Actor = h.actors.admin): PostedMessage | undefined =>
  [...h.emulator.messages.values()].filter((message) => message.channel === dmOf(actor) && !message.files).at(-1);
/** A copy of the message once it says `text` (chat.update changes the emulator's own in place). */
const messageSays = (text: string, actor: Actor = h.actors.admin) =>
  eventually(() => (runMessage(actor)?.text.includes(text) ? structuredClone(runMessage(actor)) : undefined), {
    timeoutMs: 60_000,
    intervalMs: 50,
    message: `a message saying "${text}" (last: ${runMessage(actor)?.text})`,
  });
/** The CSV files the app shared in the person's DM whose name ends with `suffix`, newest last. */
const sharedFiles = (suffix: string, actor: Actor = h.actors.admin) => h.emulator.files.shared(dmOf(actor)).filter((file) => file.name.endsWith(suffix));

async function importCsv(name: string, text: string, { actor = h.actors.admin, integration }: { actor?: Actor; integration?: string } = {}) {
  const file = h.emulator.files.addUpload({ teamId: actor.teamId, userId: actor.userId, name, content: text });
  const view = await h.openModal('/phone', 'import-csv', 'phone.csv', actor);
  const answer = await h.slack.submitView(view, { 'phone.csv.file': [file], ...(integration ? { 'phone.integration': integration } : {}) }, actor);
  return { view, answer, file };
}

/** Clicks a button of the run's message, as `actor` (the message's payload replayed by anyone). */
function click(message: PostedMessage, actionId: string, actor: Actor = h.actors.admin) {
  return h.slack.clickButton({ message: { blocks: message.blocks }, responseUrl: h.emulator.newResponseUrl(dmOf(actor)) }, actionId, actor);
}

const phoneOf = (index: number) => `+1 212 555 ${1000 + index}`;
const e164Of = (index: number) => `+1212555${1000 + index}`;

/**
 * 1,000 rows after a header. Every twentieth row from the eighth on is bad — 20 invalid numbers,
 * 10 unknown or unfit integrations, 10 duplicates of the row before (written differently), 10
 * without a subscriber ID; every third good row names WhatsApp, the others take the form's default.
 */
function thousandRows(): { text: string; badLines: number[]; goodIndexes: number[] } {
  const lines = ['subscriberId,phone,integration'];
  const badLines: number[] = [];
  const goodIndexes: number[] = [];
  const integrationOf = (index: number) => (index % 3 === 0 ? 'whatsapp-business' : '');
  for (let index = 0; index < 1000; index += 1) {
    const line = index + 2;
    if (index % 20 !== 7) {
      lines.push(`person-${index},${phoneOf(index)},${integrationOf(index)}`);
      goodIndexes.push(index);
      continue;
    }
    badLines.push(line);
    const kind = Math.floor(index / 20) % 5;
    if (kind <= 1) lines.push(`person-${index},${kind === 0 ? '+1 212 555 01' : 'call me maybe'},`);
    else if (kind === 2) lines.push(`person-${index},${phoneOf(index)},${index % 40 === 7 ? 'no-such-sms' : 'sendgrid'}`);
    else if (kind === 3) lines.push(`person-${index - 1},"(212) 555-${1000 + index - 1}",${integrationOf(index - 1)}`);
    else lines.push(`,${phoneOf(index)},`);
  }
  return { text: `${lines.join('\r\n')}\r\n`, badLines, goodIndexes };
}

function addSubscribers(count: number) {
  for (let index = 0; index < count; index += 1) h.novu.subscribers.set(`person-${index}`, { subscriberId: `person-${index}` });
}

describe('/phone import-csv', () => {
  it('1,000 rows with 50 bad ones: a dry run lists exactly those 50; Confirm registers the 950 through 429s and 500s; the same file again registers none', async () => {
    h = await startHarness({ logLevel: 'info' });
    await h.install();
    addSubscribers(1000);
    const { text, badLines, goodIndexes } = thousandRows();
    const postedMessages = () => h.emulator.callsTo('chat.postMessage').filter((call) => call.ok).length;
    const messagesBefore = postedMessages();

    const { answer } = await importCsv('people.csv', text, { integration: 'twilio-sms' });
    expect(answer.json?.response_action).toBe('update');
    expect(JSON.stringify(answer.json?.view)).toContain('nothing is registered until you confirm');
    const plan = await messageSays('Dry run of people.csv: 950 to register, 0 already registered, 50 with problems.');
    expect(endpointPosts()).toHaveLength(0);
    const shown = JSON.stringify(plan.blocks);
    expect(shown).toContain('20 invalid numbers, 10 integration problems, 10 duplicates, 10 rows without a valid subscriber ID');
    expect(shown).toContain(`Row ${badLines[0]}: \\"+1 212 555 01\\" is too short`);
    expect(shown).toContain('40 more problems not shown');
    expect(shown).toContain('Register 950 numbers');
    expect(plan.blocks?.length).toBeLessThanOrEqual(50);

    const [problemsFile] = await eventually(
      () => {
        const files = sharedFiles('-problems.csv');
        return files.length > 0 ? files : undefined;
      },
      { timeoutMs: 20_000, message: 'the problems file' },
    );
    const problemRows = parseCsv(problemsFile?.text ?? '').slice(1);
    expect(problemRows.map((record) => Number(record.fields[0]))).toEqual(badLines);
    expect(problemRows.find((record) => record.fields[0] === String(badLines[1]))?.fields[5]).toContain('is not a phone number');
    expect(problemRows.some((record) => record.fields[5]?.includes('no-such-sms is not an active integration in Novu'))).toBe(true);
    expect(problemRows.some((record) => record.fields[5]?.includes('is not an integration that delivers to phone numbers'))).toBe(true);
    expect(problemRows.some((record) => /^Duplicate of row \d+/.test(record.fields[5] ?? ''))).toBe(true);
    expect(problemRows.some((record) => record.fields[5] === 'No subscriber ID.')).toBe(true);

    h.novu.inject({ match: `POST ${endpointsPath}`, times: 3, reply: h.novu.rateLimited(1) });
    h.novu.inject({ match: `POST ${endpointsPath}`, times: 3, reply: h.novu.internalError() });
    await Promise.all([click(plan, 'phone.csv.apply'), click(plan, 'phone.csv.apply')]);
    const done = await messageSays('Import of people.csv: 950 registered, 0 already registered, 0 failed.');
    expect(JSON.stringify(done.blocks)).toContain('rows with problems were skipped');
    const progress = h.emulator.callsTo('chat.update').map((call) => String(call.args.text));
    expect(progress.some((line) => /registering… [\d,]+ of 950 done/.test(line) && !line.includes('950 of 950'))).toBe(true);
    const updateTimes = h.emulator
      .callsTo('chat.update')
      .filter((call) => String(call.args.text).includes('registering…'))
      .map((call) => call.at);
    // At most one progress update per 1.5 s (counted over the run: one slow chat.update must not make the next look early).
    const span = (updateTimes.at(-1) ?? 0) - (updateTimes[0] ?? 0);
    expect(updateTimes.length).toBeLessThanOrEqual(Math.floor(span / 1_500) + 2);

    // Novu replays a stored 500 for a retry with the same Idempotency-Key, so there may be more 500s than injected.
    expect(endpointPosts().filter((request) => request.status === 429)).toHaveLength(3);
    expect(endpointPosts().filter((request) => request.status === 500).length).toBeGreaterThanOrEqual(3);
    expect(created()).toHaveLength(950);
    expect(created().every((request) => request.problems.length === 0)).toBe(true);
    const identifiers = new Set(created().map((request) => (request.body as { identifier: string }).identifier));
    expect(identifiers.size).toBe(950);
    expect(h.novu.endpoints.size).toBe(950);
    const sample = goodIndexes[1] ?? 1;
    expect(h.novu.endpoints.get(endpointIdentifier(team.id, 'twilio-sms', `person-${sample}`, e164Of(sample)))).toMatchObject({
      type: 'phone',
      subscriberId: `person-${sample}`,
      contextKeys: [`tenant:${team.id}`],
      endpoint: { phoneNumber: e164Of(sample) },
    });
    expect(h.novu.endpoints.get(endpointIdentifier(team.id, 'whatsapp-business', 'person-0', e164Of(0)))?.integrationIdentifier).toBe('whatsapp-business');
    expect(sharedFiles('-failures.csv')).toHaveLength(0);
    const audit = await h.app.services.store.audit.list({
      workspaceKey: teamKey(team.id),
      actions: ['phone.csv.start', 'phone.csv.check', 'phone.csv.confirm', 'phone.csv.finish'],
      limit: 10,
    });
    expect(audit.map((entry) => `${entry.action}:${entry.outcome}`).sort()).toEqual([
      'phone.csv.check:ok',
      'phone.csv.confirm:queued',
      'phone.csv.finish:ok',
      'phone.csv.start:queued',
    ]);
    expect(audit.find((entry) => entry.action === 'phone.csv.finish')?.detail).toMatchObject({ created: 950, alreadyRegistered: 0, failed: 0 });
    // One DM per run (the progress message) and its problems file; not one per row.
    expect(postedMessages() - messagesBefore).toBe(1);

    const postsBefore = endpointPosts().length;
    await importCsv('people.csv', text, { integration: 'twilio-sms' });
    const again = await messageSays('Dry run of people.csv: 0 to register, 950 already registered, 50 with problems.');
    expect(JSON.stringify(again.blocks)).toContain('Nothing to register.');
    expect(JSON.stringify(again.blocks)).not.toContain('phone.csv.apply');
    expect(endpointPosts()).toHaveLength(postsBefore);
  }, 120_000);

  it('a restart in the middle: the queued rows carry on, the message catches up, and each number is registered once', async () => {
    h = await startHarness({ logLevel: 'info' });
    await h.install();
    addSubscribers(120);
    const rows = Array.from({ length: 120 }, (_, index) => `person-${index},${phoneOf(index)}`);
    await importCsv('batch.csv', `${rows.join('\n')}\n`, { integration: 'twilio-sms' });
    const plan = await messageSays('Dry run of batch.csv: 120 to register');
    h.novu.latencyMs = 100;
    await click(plan, 'phone.csv.apply');
    await eventually(() => created().length >= 10, { timeoutMs: 30_000, message: 'some rows registered' });
    await h.restart();
    const recordedBefore = (await h.app.services.store.endpoints.page({ workspaceKey: teamKey(team.id), types: ['phone'], limit: 200 })).length;
    expect(recordedBefore).toBeLessThan(120);
    h.novu.latencyMs = 0;
    await messageSays('Import of batch.csv: 120 registered, 0 already registered, 0 failed.');
    expect(h.novu.endpoints.size).toBe(120);
    expect(new Set(created().map((request) => (request.body as { identifier: string }).identifier)).size).toBe(120);
    expect(created()).toHaveLength(120);
    const records = await h.app.services.store.endpoints.page({ workspaceKey: teamKey(team.id), types: ['phone'], limit: 200 });
    expect(records).toHaveLength(120);
  }, 120_000);

  it('a row Novu refuses for good ends in the failures file with Novu’s reason; the others are registered', async () => {
    h = await startHarness({ env: { AUDIT_CHANNEL: 'C0GENERAL' } });
    await h.install();
    h.novu.subscribers.set('ok-1', { subscriberId: 'ok-1' });
    h.novu.subscribers.set('ok-2', { subscriberId: 'ok-2' });
    const text = [
      'subscriberId,phone,integration,identifier',
      'ok-1,+12125551001,twilio-sms,',
      'ghost,+12125551002,twilio-sms,',
      'ok-2,+12125551003,whatsapp-business,my-own-id',
    ].join('\n');
    await importCsv('mixed.csv', text);
    const plan = await messageSays('Dry run of mixed.csv: 3 to register');
    await click(plan, 'phone.csv.apply');
    const done = await messageSays('Import of mixed.csv: 2 registered, 0 already registered, 1 failed.');
    expect(JSON.stringify(done.blocks)).toContain('mixed-failures.csv');
    const [failures] = await eventually(
      () => {
        const files = sharedFiles('-failures.csv');
        return files.length > 0 ? files : undefined;
      },
      { timeoutMs: 20_000, message: 'the failures file' },
    );
    const failed = parseCsv(failures?.text ?? '');
    expect(failed[0]?.fields).toEqual(['row', 'subscriberId', 'phone', 'integration', 'identifier', 'reason']);
    expect(failed.slice(1).map((record) => record.fields.slice(0, 3))).toEqual([['3', 'ghost', '+12125551002']]);
    expect(failed[1]?.fields[5]).toMatch(/Novu has no subscriber \S+ in this workspace\. Create it in Novu first/);
    expect(h.novu.endpoints.has('my-own-id')).toBe(true);
    expect(created()).toHaveLength(2);
    const finish = await h.app.services.store.audit.list({ workspaceKey: teamKey(team.id), actions: ['phone.csv.finish'], limit: 1 });
    expect(finish[0]).toMatchObject({ outcome: 'failed', detail: expect.objectContaining({ created: 2, failed: 1 }) });
    // The audit channel gets the run's lines, not one per row (the log has those).
    const auditLines = () => [...h.emulator.messages.values()].filter((message) => message.channel === 'C0GENERAL').map((message) => message.text);
    await eventually(() => auditLines().some((line) => line.includes('imported `mixed.csv`: 2 registered, 0 already there, 1 failed.')));
    // Uploaded, checked, started, imported: one line each.
    expect(auditLines().filter((line) => line.includes('`mixed.csv`'))).toHaveLength(4);
    expect(auditLines().some((line) => line.includes(' registered +1 '))).toBe(false);
    expect(await h.app.services.store.audit.list({ workspaceKey: teamKey(team.id), actions: ['endpoint.register'], limit: 10 })).toHaveLength(3);
  }, 60_000);

  it('checks the form before anything is read: a file is needed, a CSV one, from someone who may register; Cancel registers nothing', async () => {
    h = await startHarness();
    await h.install();
    const view = await h.openModal('/phone', 'import-csv', 'phone.csv');
    const none = await h.slack.submitView(view, {}, h.actors.admin);
    expect(none.json).toMatchObject({ response_action: 'errors', errors: { file: 'Choose a CSV file.' } });
    const sheet = h.emulator.files.addUpload({ teamId: team.id, userId: h.actors.admin.userId, name: 'people.xlsx', content: 'PK…' });
    const wrongType = await h.slack.submitView(view, { 'phone.csv.file': [sheet] }, h.actors.admin);
    expect(wrongType.json?.errors?.file).toContain('not a CSV file');
    const csv = h.emulator.files.addUpload({ teamId: team.id, userId: h.actors.admin.userId, name: 'people.csv', content: 'sub-1,+12125551001\n' });
    const slackIntegration = await h.slack.submitView(view, { 'phone.csv.file': [csv], 'phone.integration': 'slack-prod' }, h.actors.admin);
    expect(slackIntegration.json?.errors?.integration).toContain('is not an integration that delivers to phone numbers');
    const member = await h.slack.submitView(view, { 'phone.csv.file': [csv] }, h.actors.member);
    expect(member.json?.errors?.file).toContain('Only workspace admins');
    expect(h.emulator.callsTo('files.info')).toHaveLength(0);
    expect(await h.app.services.store.audit.list({ workspaceKey: teamKey(team.id), actions: ['phone.csv.start'], limit: 5 })).toHaveLength(0);

    await importCsv('small.csv', 'sub-1,+12125551001\nsub-2,+12125551002\n', { integration: 'twilio-sms' });
    const plan = await messageSays('Dry run of small.csv: 2 to register');
    await click(plan, 'phone.csv.apply', h.actors.member);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(runMessage()?.text).toContain('Dry run of small.csv');
    await click(plan, 'phone.csv.cancel');
    await messageSays('Import of `small.csv` cancelled: nothing was registered.');
    await click(plan, 'phone.csv.apply');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(endpointPosts()).toHaveLength(0);
  }, 60_000);

  it('a workspace installed before imports existed is asked to reinstall for the file permissions', async () => {
    h = await startHarness();
    await h.install({ scopes: botScopeNames.filter((scope) => !scope.startsWith('files:')) });
    const before = new Set(h.emulator.views.keys());
    await h.slack.command('/phone', 'import-csv', h.actors.admin);
    const view = await eventually(() => [...h.emulator.views.values()].find((candidate) => !before.has(candidate.id)));
    expect(JSON.stringify(view)).toContain('reinstall it from');
    expect(JSON.stringify(view)).toContain('files:read');
    expect(JSON.stringify(view)).not.toContain('file_input');
  });

  it('a file Slack will not hand over stops the dry run with the reason; a header Switchboard cannot read too', async () => {
    h = await startHarness();
    await h.install();
    await importCsv('columns.csv', 'subscriberId,phone,email\nsub-1,+12125551001,a@example.com\n', { integration: 'twilio-sms' });
    await messageSays('stopped: The header names a column Switchboard does not read, "email"');

    const file = h.emulator.files.addUpload({ teamId: team.id, userId: h.actors.admin.userId, name: 'x.csv', content: 'sub-1,+12125551001\n' });
    const token = h.emulator.latestBotToken(team.id) ?? '';
    const client = new WebClient(token, { slackApiUrl: h.emulator.apiUrl });
    const limits = { maxBytes: 1_000_000, timeoutMs: 5_000, trustedOrigins: [h.emulator.url] };
    const info = await fetch(`${h.emulator.apiUrl}files.info`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: new URLSearchParams({ file: file.id }),
    });
    expect(webApiResponseProblems('files.info', await info.json())).toEqual([]);
    expect(await downloadUploadedFile(client, token, file.id, limits)).toBe('sub-1,+12125551001\n');
    // Slack's answer to a token it does not take: a redirect to its sign-in page, not an error status.
    const refused = await fetch(file.url_private_download, { headers: { authorization: 'Bearer wrong-token' }, redirect: 'manual' });
    expect(refused.status).toBe(302);
    expect(refused.headers.get('location')).toContain('/?redir=');
    await expect(downloadUploadedFile(client, 'wrong-token', file.id, limits)).rejects.toThrow(/sign-in page/);
    await expect(downloadUploadedFile(client, token, file.id, { ...limits, trustedOrigins: ['https://files.slack.com'] })).rejects.toThrow(
      /not stored on Slack/,
    );
    expect(h.emulator.files.downloads.filter((download) => !download.served)).toHaveLength(2);
  });
});

/** The run of the newest `phone.csv.start` of the workspace. */
async function latestRunId(): Promise<string> {
  const [start] = await h.app.services.store.audit.list({ workspaceKey: teamKey(team.id), actions: ['phone.csv.start'], limit: 1 });
  return start?.detail?.run as string;
}

/** New direct messages to `actor` that say `text` (chat.postMessage, not the progress message's updates). */
const dmsSaying = (text: string, actor: Actor = h.actors.admin) =>
  h.emulator.callsTo('chat.postMessage').filter((call) => call.ok && call.args.channel === dmOf(actor) && String(call.args.text).includes(text));

describe('/phone import-csv when something fails behind the scenes', () => {
  it('a row whose follow-up fails (its job finished, its listener did not run) is settled when the queue delivers the follow-up again: the run still ends with its summary', async () => {
    h = await startHarness({ env: { JOB_LEASE_SECONDS: '2' } });
    await h.install();
    for (const subscriberId of ['lost-1', 'lost-2', 'lost-3']) h.novu.subscribers.set(subscriberId, { subscriberId });
    await importCsv('lost.csv', 'lost-1,+12125551001\nlost-2,+12125551002\nlost-3,+12125551003\n', { integration: 'twilio-sms' });
    const plan = await messageSays('Dry run of lost.csv: 3 to register');
    // The first row to finish loses its follow-up, as when the process dies between the job's end and its listener.
    const records = h.app.services.store.phoneImports;
    const settle = records.settle;
    let lost = 0;
    records.settle = async (...args) => {
      if (lost++ === 0) throw new Error('the process died here');
      return settle(...args);
    };
    await click(plan, 'phone.csv.apply');
    await eventually(() => created().length === 3, { timeoutMs: 20_000, message: 'the three rows written to Novu' });
    await eventually(() => h.logs.lines.some((line) => line.includes('job follow-up failed; will try again')), { message: 'the failed follow-up' });
    const runId = await latestRunId();

    const done = await messageSays('Import of lost.csv: 3 registered, 0 already registered, 0 failed.');
    expect(JSON.stringify(done.blocks)).toContain(':white_check_mark:');
    expect(await h.app.services.store.phoneImports.get(runId)).toMatchObject({ status: 'done' });
    const finish = await h.app.services.store.audit.list({ workspaceKey: teamKey(team.id), actions: ['phone.csv.finish'], limit: 1 });
    expect(finish[0]).toMatchObject({ outcome: 'ok', detail: expect.objectContaining({ created: 3, failed: 0 }) });
    // Each row's audit line once, although one follow-up ran twice.
    const registered = await h.app.services.store.audit.list({ workspaceKey: teamKey(team.id), actions: ['endpoint.register'], limit: 10 });
    expect(registered).toHaveLength(3);
  }, 120_000);

  it('the job queueing the rows gives up: the run stops and the requester is told why; a rows file that cannot be sent is said too', async () => {
    h = await startHarness({ env: { JOB_MAX_ATTEMPTS: '1' } });
    await h.install();
    h.novu.subscribers.set('sub-1', { subscriberId: 'sub-1' });
    h.emulator.failNext('files.getUploadURLExternal', 'ratelimited');
    await importCsv('broken.csv', 'sub-1,+12125551001\nsub-2,not a number\n', { integration: 'twilio-sms' });
    // The notice about the file comes after the dry run's message: find that one by what it says.
    const dryRun = () =>
      [...h.emulator.messages.values()].find((message) => message.channel === dmOf(h.actors.admin) && message.text.startsWith('Dry run of broken.csv'));
    const plan = structuredClone(await eventually(dryRun, { timeoutMs: 20_000, message: 'the dry run' }));
    expect(plan.text).toContain('1 to register, 0 already registered, 1 with problems.');
    await eventually(() => dmsSaying('could not send `broken-problems.csv`').length === 1, { timeoutMs: 20_000, message: 'the problems file not sent' });
    expect(sharedFiles('-problems.csv')).toHaveLength(0);
    // Said in words; Slack's own answer waits in the details line.
    const [notSent] = dmsSaying('could not send `broken-problems.csv`');
    expect(String(notSent?.args.text)).toContain('Slack did not take the file.');
    expect(String(notSent?.args.text)).not.toContain('ratelimited');
    expect(JSON.stringify(notSent?.args.blocks)).toMatch(/Details: Slack: [^"]*ratelimited/);

    const records = h.app.services.store.phoneImports;
    const items = records.items;
    let broken = true;
    records.items = async (id, filter) => {
      if (broken && filter.states.includes('ready')) throw new Error('the database is not answering');
      return items(id, filter);
    };
    await click(plan, 'phone.csv.apply');
    const stopped = 'Import of `broken.csv` stopped: Switchboard could not queue the rows to register (the database is not answering).';
    await eventually(() => dmsSaying(stopped).length === 1, { timeoutMs: 20_000, message: 'a direct message saying so' });
    await eventually(() => h.emulator.messages.get(`${plan.channel}/${plan.ts}`)?.text.includes(stopped), { message: 'the progress message' });
    broken = false;
    const runId = await latestRunId();
    expect(await h.app.services.store.phoneImports.get(runId)).toMatchObject({ status: 'failed' });
    expect(await h.app.services.store.jobs.findByDedupeKey(`phone.csv.queue-rows:${runId}`)).toMatchObject({ kind: 'phone.csv.queue-rows', status: 'dead' });
    const finish = await h.app.services.store.audit.list({ workspaceKey: teamKey(team.id), actions: ['phone.csv.finish'], limit: 1 });
    expect(finish[0]).toMatchObject({ outcome: 'failed', error: 'the database is not answering' });
    expect(endpointPosts()).toHaveLength(0);
  }, 60_000);

  it('a form whose run cannot be stored promises nothing: the form stays, the reason under the file; a new try works', async () => {
    h = await startHarness();
    await h.install();
    const records = h.app.services.store.phoneImports;
    const create = records.create;
    let failures = 1;
    records.create = async (...args) => {
      if (failures-- > 0) throw new Error('the database is not answering');
      return create(...args);
    };
    const { answer } = await importCsv('first.csv', 'sub-1,+12125551001\n', { integration: 'twilio-sms' });
    expect(answer.json).toMatchObject({ response_action: 'errors', errors: { file: expect.stringContaining('could not save this in time') } });
    expect(h.logs.lines.some((line) => line.includes('a request was not stored in time'))).toBe(true);
    expect(runMessage()).toBeUndefined();
    expect(dmsSaying('first.csv')).toHaveLength(0);

    const again = await importCsv('first.csv', 'sub-1,+12125551001\n', { integration: 'twilio-sms' });
    expect(JSON.stringify(again.answer.json)).toContain('Checking');
    await messageSays('Dry run of first.csv: 1 to register');
  }, 60_000);
});

describe('/phone import-csv across workspaces', () => {
  it('another workspace cannot confirm or cancel a run with a replayed button, nor read its file; its own CSV writes only into its own scope', async () => {
    world = await startWorld();
    h = world.harness;
    await world.installAcme();
    await world.installGlobex();
    for (const subscriberId of ['sub-a', 'sub-b']) h.novu.subscribers.set(subscriberId, { subscriberId });
    const acmeCsv = 'sub-a,+12125551001\nsub-b,+12125551002\n';
    const { file: acmeFile } = await importCsv('acme.csv', acmeCsv, { actor: world.acmeAdmin, integration: 'twilio-sms' });
    const plan = await messageSays('Dry run of acme.csv: 2 to register', world.acmeAdmin);

    const writes = world.novuWrites();
    const forgedApply = await click(plan, 'phone.csv.apply', world.globexAdmin);
    const forgedCancel = await click(plan, 'phone.csv.cancel', world.globexAdmin);
    expect(forgedApply.status).toBe(200);
    expect(forgedCancel.status).toBe(200);
    await eventually(() => h.emulator.responses.filter((post) => JSON.stringify(post.body).includes('no such import in this workspace')).length === 2, {
      timeoutMs: 15_000,
      message: 'both refusals',
    });
    const run = (await h.app.services.store.audit.list({ workspaceKey: teamKey(acme.id), actions: ['phone.csv.start'], limit: 1 }))[0]?.detail?.run as string;
    expect((await h.app.services.store.phoneImports.get(run))?.status).toBe('planned');
    const refusals = await h.app.services.store.audit.list({ workspaceKey: teamKey(globex.id), actions: ['endpoints.write'], limit: 5 });
    expect(refusals.map((entry) => entry.outcome)).toEqual(['not-found', 'not-found']);
    expect(world.novuWrites()).toBe(writes);

    // Globex submits its own form naming Acme's file: Slack does not show it to Globex's bot.
    const view = await h.openModal('/phone', 'import-csv', 'phone.csv', world.globexAdmin);
    await h.slack.submitView(view, { 'phone.csv.file': [acmeFile], 'phone.integration': 'twilio-sms' }, world.globexAdmin);
    await messageSays('stopped: Slack has no such file in this workspace', world.globexAdmin);
    expect(h.emulator.files.downloads.filter((download) => download.fileId === acmeFile.id && download.served)).toHaveLength(1);

    // Globex's own file with the same numbers (and Acme's identifier typed in) registers into Globex's scope only.
    await click(plan, 'phone.csv.apply', world.acmeAdmin);
    await messageSays('Import of acme.csv: 2 registered', world.acmeAdmin);
    const acmeIdentifier = endpointIdentifier(acme.id, 'twilio-sms', 'sub-a', '+12125551001');
    await importCsv(
      'globex.csv',
      `subscriberId,phone,integration,identifier\nsub-a,+12125551001,twilio-sms,\nsub-b,+12125551002,twilio-sms,${acmeIdentifier}\n`,
      {
        actor: world.globexAdmin,
      },
    );
    const globexPlan = await messageSays('Dry run of globex.csv: 1 to register, 0 already registered, 1 with problems.', world.globexAdmin);
    expect(JSON.stringify(globexPlan.blocks)).toContain('already used by another endpoint');
    await click(globexPlan, 'phone.csv.apply', world.globexAdmin);
    await messageSays('Import of globex.csv: 1 registered', world.globexAdmin);
    const globexEndpoint = h.novu.endpoints.get(endpointIdentifier(globex.id, 'twilio-sms', 'sub-a', '+12125551001'));
    expect(globexEndpoint?.contextKeys).toEqual([`tenant:${globex.id}`]);
    expect(h.novu.endpoints.get(acmeIdentifier)?.contextKeys).toEqual([`tenant:${acme.id}`]);
    const acmeRecords = await h.app.services.store.endpoints.page({ workspaceKey: teamKey(acme.id), types: ['phone'], limit: 10 });
    expect(acmeRecords.map((record) => record.identifier).sort()).toEqual(
      [acmeIdentifier, endpointIdentifier(acme.id, 'twilio-sms', 'sub-b', '+12125551002')].sort(),
    );
  }, 60_000);
});
