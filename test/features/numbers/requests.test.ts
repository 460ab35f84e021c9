import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { importModal } from '../../../src/features/numbers/import-form.js';
import { asRequestForm, isRequestForm, numberRequestMessage, requestSentView } from '../../../src/features/numbers/request-messages.js';
import { readRequestedNumber, requestIntent, storedPayload } from '../../../src/features/numbers/request-payload.js';
import { sipModal } from '../../../src/features/numbers/sip-form.js';
import { buildPolicy } from '../../../src/permissions/policy.js';
import { openSqliteEngine } from '../../../src/store/engines/sqlite.js';
import type { NumberRequest } from '../../../src/store/types.js';
import { teamKey } from '../../../src/store/workspace-key.js';
import { newId } from '../../../src/util/ids.js';
import { checkMessage, checkView } from '../../kit/block-kit.js';
import { eventually, type Harness, startHarness, team } from '../../kit/harness.js';
import type { EmulatedView } from '../../kit/slack-emulator.js';
import type { Actor } from '../../kit/slack-sender.js';
import { openVapiForm, useInForm } from '../../kit/vapi-form.js';
import { globex, startWorld, type World } from '../../tenancy/world.js';

/**
 * Requests for paid numbers, end to end through the HTTP receiver: an admin (who may ask but not
 * provision) asks, operators approve or deny from their direct messages or the Home tab, and an
 * approval runs the stored request once against the spec-validating Vapi and SignalWire fakes.
 */
const auditChannel = 'C0AUDIT0001';
const secondOperator: Actor = { userId: 'U0OPERTWO', teamId: team.id };
/** Every SIP password typed in this file: none may reach a log line or the store in plain text. */
const passwords: string[] = [];

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({
    vapi: true,
    signalwire: true,
    env: { OPERATORS: `U0OPERATOR,${secondOperator.userId}`, AUDIT_CHANNEL: `${team.id}:${auditChannel}` },
  });
  harness.emulator.channels.add({ id: auditChannel, name: 'switchboard-audit', kind: 'public' });
  harness.emulator.addUser({ id: secondOperator.userId, teamId: team.id });
  await harness.install();
});
afterAll(() => harness.stop());
beforeEach(() => {
  for (const backend of [harness.vapi, harness.signalwire]) {
    backend.clearFaults();
    backend.requests.length = 0;
  }
});

const vapiPosts = () => harness.vapi.requestsTo('POST', '/phone-number');
const importPosts = () => harness.signalwire.requestsTo('POST', '/api/relay/rest/imported_phone_numbers');
const postsTo = (channel: string) => harness.emulator.callsTo('chat.postMessage').filter((call) => call.ok && call.args.channel === channel);
/** The emulator names a DM channel D + the user id without its U. */
const dmTo = (userId: string) => `D${userId.slice(1)}`;
const textsTo = (userId: string) => postsTo(dmTo(userId)).map((call) => `${String(call.args.text)} ${JSON.stringify(call.args.blocks ?? [])}`);
const settle = (ms = 400) => new Promise((resolve) => setTimeout(resolve, ms));
const day = 24 * 3_600_000;
/** The dedupe key of a request's provisioning job (a Vapi create). */
const provisionJobKey = (requestId: string) => `vapi.number.create:numbers.request:${requestId}`;

function newPassword(): string {
  const password = `pw-${randomBytes(16).toString('hex')}`;
  passwords.push(password);
  return password;
}

/** The message an operator got for a request, as a message they can click. */
async function operatorMessage(operator: Actor, requestId: string): Promise<{ blocks: unknown[] }> {
  const post = await eventually(
    () => postsTo(dmTo(operator.userId)).find((call) => JSON.stringify(call.args.blocks ?? []).includes(`"value":"${requestId}"`)),
    {
      message: `the request ${requestId} in ${operator.userId}'s DMs`,
    },
  );
  return { blocks: post.args.blocks as unknown[] };
}

/** An admin asks for a SIP URI through the real form; returns the stored request. */
async function askForSip(sipUser: string, password = newPassword()): Promise<{ request: NumberRequest; view: EmulatedView; password: string }> {
  const before = new Set((await harness.app.services.store.numberRequests.pending({ limit: 100 })).map((request) => request.id));
  const view = await openVapiForm(harness, harness.actors.admin, { kind: 'sip', login: true, answeredBy: 'workflow' });
  const answer = await harness.slack.submitView(
    view,
    { name: 'Front desk', sip_user: sipUser, sip_username: 'user-name-long-enough-1', sip_password: password, workflow: 'wf-1' },
    harness.actors.admin,
  );
  expect(answer.json?.response_action).toBe('update');
  const request = await eventually(async () =>
    (await harness.app.services.store.numberRequests.pending({ limit: 100 })).find((candidate) => !before.has(candidate.id)),
  );
  return { request, view, password };
}

async function click(operator: Actor, requestId: string, action: 'approve' | 'deny', responseUrl = harness.emulator.newResponseUrl()) {
  const message = await operatorMessage(operator, requestId);
  await harness.slack.clickButton({ message, responseUrl }, `numbers.request.${action}`, operator);
  return responseUrl;
}

const lastResponse = (responseUrl: string) =>
  eventually(() => harness.emulator.responsesTo(responseUrl).at(-1), { message: 'the answer to the click' }).then((post) => JSON.stringify(post.body));

describe('asking for a number', () => {
  it('an admin gets /phone sip as a request; the exact request is stored with its password sealed, and every operator is asked', async () => {
    const opened = await harness.openModal('/phone', 'sip', 'numbers.sip', harness.actors.admin);
    expect(opened.title?.text).toBe('Request a Vapi number');
    expect(opened.submit?.text).toBe('Request');
    expect(JSON.stringify(opened)).toContain('this form asks Switchboard’s operators');
    // Its choices redraw it as the request form it is.
    const view = await openVapiForm(harness, harness.actors.admin, { kind: 'sip', login: true, answeredBy: 'workflow' });
    expect(view.title?.text).toBe('Request a Vapi number');
    expect(view.submit?.text).toBe('Request');
    expect(JSON.stringify(view)).toContain('this form asks Switchboard’s operators');

    const password = newPassword();
    const answer = await harness.slack.submitView(
      view,
      { name: 'Front desk', sip_user: 'front-desk', sip_username: 'user-name-long-enough-1', sip_password: password, workflow: 'wf-1' },
      harness.actors.admin,
    );
    expect(answer.json?.response_action).toBe('update');
    const sent = JSON.stringify(answer.json?.view);
    expect(sent).toContain('Request sent');
    expect(sent).toContain(password);
    expect(vapiPosts()).toHaveLength(0);

    const [request] = (await harness.app.services.store.numberRequests.pending({ limit: 100 })).filter((candidate) =>
      JSON.stringify(candidate.payload).includes('sip:front-desk@'),
    );
    expect(request).toMatchObject({ workspaceKey: teamKey(team.id), requestedBy: harness.actors.admin.userId, backend: 'vapi', status: 'pending' });
    expect(request?.payload).toMatchObject({
      body: {
        provider: 'vapi',
        name: 'Front desk',
        sipUri: 'sip:front-desk@sip.vapi.ai',
        workflowId: 'wf-1',
        authentication: { username: 'user-name-long-enough-1', sealedPassword: expect.stringMatching(/^v1\./) },
      },
    });
    expect(JSON.stringify(request)).not.toContain(password);
    expect(request?.expiresAt).toBeGreaterThan(Date.now() + 71 * 3_600_000);

    for (const operator of [harness.actors.operator, secondOperator]) {
      const message = await operatorMessage(operator, request?.id ?? '');
      expect(JSON.stringify(message)).toContain('numbers.request.approve');
      expect(JSON.stringify(message)).toContain(`<@${harness.actors.admin.userId}>`);
      expect(JSON.stringify(message)).not.toContain(password);
    }
    const [audited] = await harness.app.services.store.audit.list({ workspaceKey: teamKey(team.id), actions: ['numbers.request'], limit: 1 });
    expect(audited).toMatchObject({ outcome: 'queued', userId: harness.actors.admin.userId, backend: 'vapi', target: 'sip:front-desk@sip.vapi.ai' });
    await eventually(
      () => postsTo(auditChannel).some((call) => String(call.args.text).includes('asked an operator for a Vapi number (`sip:front-desk@sip.vapi.ai`)')),
      {
        message: 'the audit channel line',
      },
    );
  });

  it('submitting the request form twice stores one request and asks the operators once', async () => {
    const view = await openVapiForm(harness, harness.actors.admin, { kind: 'sip', answeredBy: 'workflow' });
    const values = { name: 'Twice', sip_user: 'asked-twice', workflow: 'wf-1' };
    await Promise.all([harness.slack.submitView(view, values, harness.actors.admin), harness.slack.submitView(view, values, harness.actors.admin)]);
    await settle();
    const requests = (await harness.app.services.store.numberRequests.pending({ limit: 100 })).filter((request) =>
      JSON.stringify(request.payload).includes('asked-twice'),
    );
    expect(requests).toHaveLength(1);
    expect(postsTo(dmTo(harness.actors.operator.userId)).filter((call) => JSON.stringify(call.args.blocks).includes(requests[0]?.id ?? '-'))).toHaveLength(1);
  });

  it('the announcement is a job in the durable queue: when its first run dies after the form was answered, it runs again and asks the operators once', async () => {
    const { audit, store } = harness.app.services;
    const record = audit.record.bind(audit);
    let died = false;
    // The first announcement stops (as a restart would) after the form was answered and before any operator was asked.
    const spy = vi.spyOn(audit, 'record').mockImplementation(async (entry, options) => {
      if (entry.action === 'numbers.request' && !died) {
        died = true;
        throw new Error('the process stopped here');
      }
      return record(entry, options);
    });
    try {
      const { request } = await askForSip('announced-again');
      for (const operator of [harness.actors.operator, secondOperator]) await operatorMessage(operator, request.id);
      expect(died).toBe(true);
      const announcement = await eventually(async () => {
        const job = await store.jobs.findByDedupeKey(`numbers.request.announce:${request.id}`);
        return job?.status === 'done' ? job : undefined;
      });
      expect(announcement.attempts).toBe(2);
      expect(await store.jobs.findByDedupeKey(`numbers.request.expire:${request.id}`)).toMatchObject({ status: 'pending', runAt: request.expiresAt });
      await settle();
      const asked = postsTo(dmTo(harness.actors.operator.userId)).filter((call) => JSON.stringify(call.args.blocks ?? []).includes(`"value":"${request.id}"`));
      expect(asked).toHaveLength(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('the same request form sent again with another password is the same request: the key leaves the password out, and the one kept is shown', async () => {
    const view = await openVapiForm(harness, harness.actors.admin, { kind: 'sip', login: true, answeredBy: 'workflow' });
    const values = { name: 'Two passwords', sip_user: 'two-passwords', sip_username: 'user-name-long-enough-2', workflow: 'wf-1' };
    const [first, second] = [newPassword(), newPassword()];
    const answers = await Promise.all([
      harness.slack.submitView(view, { ...values, sip_password: first }, harness.actors.admin),
      harness.slack.submitView(view, { ...values, sip_password: second }, harness.actors.admin),
    ]);
    await settle();
    const requests = (await harness.app.services.store.numberRequests.pending({ limit: 100 })).filter((request) =>
      JSON.stringify(request.payload).includes('two-passwords'),
    );
    expect(requests).toHaveLength(1);
    const shown = answers.map((answer) => JSON.stringify(answer.json?.view).match(/pw-[0-9a-f]{32}/)?.[0]);
    expect(shown[0]).toBeDefined();
    expect(shown[1]).toBe(shown[0]);
    expect([first, second]).toContain(shown[0]);
  });

  it('the provisioning form sent again with another password provisions once, and shows the password Vapi got', async () => {
    const view = await openVapiForm(harness, harness.actors.operator, { kind: 'sip', login: true, answeredBy: 'workflow' });
    const values = { name: 'Two passwords', sip_user: 'two-passwords-direct', sip_username: 'user-name-long-enough-3', workflow: 'wf-1' };
    const [first, second] = [newPassword(), newPassword()];
    await Promise.all([
      harness.slack.submitView(view, { ...values, sip_password: first }, harness.actors.operator),
      harness.slack.submitView(view, { ...values, sip_password: second }, harness.actors.operator),
    ]);
    const result = await eventually(() => {
      const text = JSON.stringify(harness.emulator.views.get(view.id));
      return text.includes('two-passwords-direct') && /pw-[0-9a-f]{32}/.test(text) ? text : undefined;
    });
    await settle();
    const posts = vapiPosts().filter((post) => JSON.stringify(post.body).includes('two-passwords-direct'));
    expect(posts).toHaveLength(1);
    const sent = (posts[0]?.body as { authentication?: { password?: string } } | undefined)?.authentication?.password ?? 'none sent';
    expect([first, second]).toContain(sent);
    expect(result.match(/pw-[0-9a-f]{32}/)?.[0]).toBe(sent);
    const jobs = await harness.app.services.store.jobs.list({ kinds: ['vapi.number.create'], limit: 100 });
    expect(jobs.filter((job) => job.dedupeKey.includes(view.id))).toHaveLength(1);
  });

  it('a provisioning form (opened while the role was not known) submitted by someone who may only ask becomes a request', async () => {
    const view = await openVapiForm(harness, harness.actors.operator, { kind: 'sip', answeredBy: 'workflow' });
    expect(view.submit?.text).toBe('Create');
    const answer = await harness.slack.submitView(view, { name: 'Fallback', sip_user: 'fallback-form', workflow: 'wf-1' }, harness.actors.admin);
    expect(JSON.stringify(answer.json?.view)).toContain('Request sent');
    expect(vapiPosts()).toHaveLength(0);
  });

  it('“Generate a strong pair” works on the request form, which stays a request', async () => {
    const view = await openVapiForm(harness, harness.actors.admin, { kind: 'sip', login: true });
    const redrawn = await useInForm(harness, view, 'numbers.sip.generate', harness.actors.admin, { typed: { name: 'Kept', sip_user: 'generated' } });
    expect(redrawn.title?.text).toBe('Request a Vapi number');
    expect(redrawn.submit?.text).toBe('Request');
    const password = JSON.stringify(redrawn).match(/"initial_value":"([A-Za-z0-9_-]{32})"/)?.[1];
    expect(password).toBeDefined();
    passwords.push(password ?? '');
    expect(JSON.stringify(redrawn)).toContain('"initial_value":"Kept"');
  });

  it('a member may not even ask: refused at the command, audited, nothing stored', async () => {
    const command = await harness.slack.command('/phone', 'sip', harness.actors.member);
    expect(command.json?.text).toContain('may ask an operator to provision a phone number');
    const audit = await harness.app.services.store.audit.list({ workspaceKey: teamKey(team.id), actions: ['numbers.request'], limit: 10 });
    expect(audit.some((entry) => entry.outcome === 'refused' && entry.userId === harness.actors.member.userId)).toBe(true);
  });
});

describe('deciding', () => {
  it('Approve clicked twice, and by two operators at once, runs the stored request exactly once; the requester hears of it', async () => {
    const { request, password } = await askForSip('approved-once');
    const first = harness.emulator.newResponseUrl();
    const second = harness.emulator.newResponseUrl();
    await Promise.all([
      click(harness.actors.operator, request.id, 'approve', first),
      click(harness.actors.operator, request.id, 'approve', first),
      click(secondOperator, request.id, 'approve', second),
    ]);
    await eventually(() => harness.vapi.numbers.size > 0 && vapiPosts().length > 0, { timeoutMs: 15_000, message: 'the Vapi number' });
    await eventually(async () => (await harness.app.services.store.numbers.list({ limit: 100 })).some((number) => number.sipUri?.includes('approved-once')));
    await settle();
    expect(vapiPosts()).toHaveLength(1);
    expect(vapiPosts()[0]?.problems).toEqual([]);
    expect(vapiPosts()[0]?.body).toMatchObject({
      provider: 'vapi',
      name: expect.stringMatching(/^Front desk #sb-[0-9a-f]{8}$/),
      sipUri: 'sip:approved-once@sip.vapi.ai',
      workflowId: 'wf-1',
      authentication: { username: 'user-name-long-enough-1', password },
    });

    const owned = (await harness.app.services.store.numbers.list({ limit: 100 })).find((number) => number.sipUri === 'sip:approved-once@sip.vapi.ai');
    expect(owned).toMatchObject({ workspaceKey: teamKey(team.id), createdBy: harness.actors.admin.userId });
    const decided = await harness.app.services.store.numberRequests.get(request.id);
    expect(decided?.status).toBe('approved');
    const approvals = await harness.app.services.store.audit.list({ workspaceKey: teamKey(team.id), actions: ['numbers.request.approve'], limit: 10 });
    expect(approvals.filter((entry) => entry.outcome === 'ok' && entry.detail?.request === request.id)).toHaveLength(1);
    const jobs = await harness.app.services.store.jobs.list({ limit: 100 });
    expect(jobs.filter((job) => job.kind === 'vapi.number.create' && job.dedupeKey.includes(request.id))).toHaveLength(1);

    await eventually(
      () => textsTo(harness.actors.admin.userId).some((text) => text.includes('approved your request') && text.includes(`<@${decided?.decidedBy}>`)),
      {
        message: 'the approval DM',
      },
    );
    await eventually(() => textsTo(harness.actors.admin.userId).some((text) => text.includes('is ready') && text.includes('approved-once')), {
      message: 'the provisioning result DM',
    });
    const shown = await eventually(async () => {
      const answers = [...harness.emulator.responsesTo(first), ...harness.emulator.responsesTo(second)].map((post) => JSON.stringify(post.body));
      return answers.find((answer) => answer.includes('Provisioned'));
    });
    expect(shown).toContain(`Approved by <@${decided?.decidedBy}>`);

    await settle();
    expect(textsTo(harness.actors.admin.userId).filter((text) => text.includes('is ready') && text.includes('approved-once'))).toHaveLength(1);

    // Later, one more click on either copy: nothing more is made, and the copy says who decided.
    const late = harness.emulator.newResponseUrl();
    await click(secondOperator, request.id, 'approve', late);
    expect(await lastResponse(late)).toContain(`Approved by <@${decided?.decidedBy}>`);
    await settle();
    expect(vapiPosts()).toHaveLength(1);
  });

  it('an approval and its job are one write: when the job cannot be stored, the request stays pending and Approve works again', async () => {
    const { store } = harness.app.services;
    const { request } = await askForSip('one-write');
    await onTheDatabase(async (db) => {
      await sql`create trigger refuse_jobs before insert on jobs when new.dedupe_key like 'vapi.number.create:%' begin select raise(abort, 'store refused'); end`.execute(
        db,
      );
    });
    try {
      await click(harness.actors.operator, request.id, 'approve');
      await settle();
    } finally {
      await onTheDatabase(async (db) => {
        await sql`drop trigger refuse_jobs`.execute(db);
      });
    }
    expect(await store.numberRequests.get(request.id)).toMatchObject({ status: 'pending', decidedBy: null });
    expect(await store.jobs.findByDedupeKey(provisionJobKey(request.id))).toBeUndefined();
    expect(vapiPosts()).toHaveLength(0);

    await click(harness.actors.operator, request.id, 'approve');
    await eventually(() => textsTo(harness.actors.admin.userId).some((text) => text.includes('one-write') && text.includes('is ready')), {
      message: 'the result DM',
    });
    const job = await store.jobs.findByDedupeKey(provisionJobKey(request.id));
    expect((await store.numberRequests.get(request.id))?.provisionJobId).toBe(job?.id);
    expect(vapiPosts().filter((post) => JSON.stringify(post.body).includes('one-write'))).toHaveLength(1);
  });

  it('decided long ago, its job recorded and since pruned: a late Approve click, and the expiry job, create nothing', async () => {
    const { store } = harness.app.services;
    const { request } = await askForSip('pruned-job');
    await click(harness.actors.operator, request.id, 'approve');
    await eventually(async () => (await store.numbers.list({ limit: 100 })).some((number) => number.sipUri === 'sip:pruned-job@sip.vapi.ai'), {
      timeoutMs: 15_000,
      message: 'the number',
    });
    const job = await store.jobs.findByDedupeKey(provisionJobKey(request.id));
    expect(job?.status).toBe('done');
    expect((await store.numberRequests.get(request.id))?.provisionJobId).toBe(job?.id);

    // 100 days on: the finished job was pruned (after AUDIT_RETENTION_DAYS), and a second operator clicks their old copy.
    await onTheDatabase(async (db) => {
      await sql`update number_requests set decided_at = ${Date.now() - 100 * day} where id = ${request.id}`.execute(db);
      await sql`delete from jobs where id = ${job?.id ?? '-'}`.execute(db);
    });
    const late = harness.emulator.newResponseUrl();
    await click(secondOperator, request.id, 'approve', late);
    expect(await lastResponse(late)).toContain(`Approved by <@${harness.actors.operator.userId}>`);
    await moveExpiryIntoThePast(request.id, { expiryJob: true });
    await eventually(async () => (await store.jobs.findByDedupeKey(`numbers.request.expire:${request.id}`))?.status === 'done', {
      message: 'the expiry job',
    });
    await settle();
    expect(vapiPosts().filter((post) => JSON.stringify(post.body).includes('pruned-job'))).toHaveLength(1);
    expect(await store.jobs.findByDedupeKey(provisionJobKey(request.id))).toBeUndefined();
  });

  it('approved, and the process stopped before running the job: the worker runs the stored job, and the requester hears of it once', async () => {
    const { store, queue } = harness.app.services;
    const { request } = await askForSip('stopped-after-approval');
    // What the Approve click stores, as one write, with nobody left to run it: the worker takes it after its lease.
    const requested = readRequestedNumber(request);
    const intent = requestIntent(request.id);
    const draft = queue.draft(
      'vapi.number.create',
      { workspaceKey: request.workspaceKey, requestedBy: request.requestedBy, approvedBy: harness.actors.operator.userId, intent, body: requested.body },
      provisionJobKey(request.id),
    );
    const approved = await store.numberRequests.approve(request.id, harness.actors.operator.userId, draft);
    expect(approved?.job.status).toBe('pending');
    await eventually(() => textsTo(harness.actors.admin.userId).some((text) => text.includes('stopped-after-approval') && text.includes('is ready')), {
      timeoutMs: 15_000,
      message: 'the result DM from the follow-up',
    });
    await click(secondOperator, request.id, 'approve');
    await settle();
    expect(vapiPosts().filter((post) => JSON.stringify(post.body).includes('stopped-after-approval'))).toHaveLength(1);
    expect(textsTo(harness.actors.admin.userId).filter((text) => text.includes('stopped-after-approval') && text.includes('is ready'))).toHaveLength(1);
  });

  it('a denied request creates nothing; the requester is told who denied it; Approve afterwards changes nothing', async () => {
    const { request } = await askForSip('denied-one');
    const responseUrl = await click(secondOperator, request.id, 'deny');
    expect(await lastResponse(responseUrl)).toContain(`Denied by <@${secondOperator.userId}>`);
    await eventually(
      () =>
        textsTo(harness.actors.admin.userId).some((text) => text.includes(`<@${secondOperator.userId}> denied your request`) && text.includes('denied-one')),
      {
        message: 'the denial DM',
      },
    );
    const afterwards = await click(harness.actors.operator, request.id, 'approve');
    expect(await lastResponse(afterwards)).toContain(`Denied by <@${secondOperator.userId}>`);
    await settle();
    expect(vapiPosts()).toHaveLength(0);
    expect(await harness.app.services.store.numberRequests.get(request.id)).toMatchObject({ status: 'denied', decidedBy: secondOperator.userId });
    const denials = await harness.app.services.store.audit.list({ workspaceKey: teamKey(team.id), actions: ['numbers.request.deny'], limit: 10 });
    expect(denials.filter((entry) => entry.detail?.request === request.id)).toHaveLength(1);
  });

  it('an expired request cannot be approved: the operator is told, the requester too, and it is audited once', async () => {
    const { request } = await askForSip('too-late');
    await moveExpiryIntoThePast(request.id);
    const responseUrl = await click(harness.actors.operator, request.id, 'approve');
    expect(await lastResponse(responseUrl)).toContain('cannot be approved');
    await click(secondOperator, request.id, 'approve');
    await settle();
    expect(vapiPosts()).toHaveLength(0);
    expect(await harness.app.services.store.numberRequests.get(request.id)).toMatchObject({ status: 'expired', decidedBy: null });
    const expiries = await harness.app.services.store.audit.list({ workspaceKey: teamKey(team.id), actions: ['numbers.request.expire'], limit: 10 });
    expect(expiries.filter((entry) => entry.detail?.request === request.id)).toHaveLength(1);
    await eventually(() => textsTo(harness.actors.admin.userId).some((text) => text.includes('expired') && text.includes('too-late')), {
      message: 'the expiry DM',
    });
  });

  it('a request nobody decides lapses at its expiry by itself: audited once, the requester told, gone from the Home list', async () => {
    const { request } = await askForSip('never-decided');
    await moveExpiryIntoThePast(request.id, { expiryJob: true });
    await eventually(() => textsTo(harness.actors.admin.userId).some((text) => text.includes('expired') && text.includes('never-decided')), {
      timeoutMs: 10_000,
      message: 'the expiry DM, without any click',
    });
    expect(await harness.app.services.store.numberRequests.get(request.id)).toMatchObject({ status: 'expired' });
    expect((await harness.app.services.store.numberRequests.pending({ limit: 100 })).map((pending) => pending.id)).not.toContain(request.id);
    const responseUrl = await click(harness.actors.operator, request.id, 'approve');
    expect(await lastResponse(responseUrl)).toContain('cannot be approved');
    await settle();
    expect(vapiPosts()).toHaveLength(0);
    const expiries = await harness.app.services.store.audit.list({ workspaceKey: teamKey(team.id), actions: ['numbers.request.expire'], limit: 10 });
    expect(expiries.filter((entry) => entry.detail?.request === request.id)).toHaveLength(1);
  });

  it('an admin may not decide at all while provisioning is for operators', async () => {
    const { request } = await askForSip('admins-cannot');
    const message = await operatorMessage(harness.actors.operator, request.id);
    const responseUrl = harness.emulator.newResponseUrl();
    await harness.slack.clickButton({ message, responseUrl }, 'numbers.request.approve', harness.actors.installer);
    expect(await lastResponse(responseUrl)).toContain('Only Switchboard operators');
    await settle();
    expect(vapiPosts()).toHaveLength(0);
    expect(await harness.app.services.store.numberRequests.get(request.id)).toMatchObject({ status: 'pending' });
  });

  it('/phone import as a request: approval imports the exact stored body once, then names it', async () => {
    const view = await harness.openModal('/phone', 'import +1 415 555 0150', 'numbers.import', harness.actors.admin);
    expect(view.title?.text).toBe('Request an import');
    const answer = await harness.slack.submitView(view, { capabilities: ['sms', 'voice'], name: 'Support line' }, harness.actors.admin);
    expect(JSON.stringify(answer.json?.view)).toContain('Request sent');
    expect(importPosts()).toHaveLength(0);
    const request = await eventually(async () =>
      (await harness.app.services.store.numberRequests.pending({ limit: 100 })).find((candidate) => candidate.backend === 'signalwire'),
    );
    expect(request.payload).toEqual({ body: { number: '+14155550150', number_type: 'longcode', capabilities: ['sms', 'voice'] }, name: 'Support line' });
    await Promise.all([click(harness.actors.operator, request.id, 'approve'), click(secondOperator, request.id, 'approve')]);
    await eventually(() => importPosts().length > 0 && harness.signalwire.requests.some((call) => call.method === 'PUT'), { timeoutMs: 15_000 });
    await settle();
    expect(importPosts()).toHaveLength(1);
    expect(importPosts()[0]?.problems).toEqual([]);
    expect(importPosts()[0]?.body).toEqual({ number: '+14155550150', number_type: 'longcode', capabilities: ['sms', 'voice'] });
    const renames = harness.signalwire.requests.filter((call) => call.method === 'PUT');
    expect(renames.map((call) => call.body)).toEqual([{ name: 'Support line' }]);
    expect(renames[0]?.problems).toEqual([]);
    const owned = await eventually(async () =>
      (await harness.app.services.store.numbers.list({ backend: 'signalwire', limit: 10 })).find((number) => number.number === '+14155550150'),
    );
    expect(owned).toMatchObject({ workspaceKey: teamKey(team.id), createdBy: harness.actors.admin.userId });
  });

  it('/phone import as a request with a report channel: operators see where it will report, and approval points its texts there', async () => {
    harness.emulator.channels.add({ id: 'C0REQCALLS', name: 'support-texts', kind: 'public', teamId: team.id, members: [`U${team.id}BOT`] });
    const view = await harness.openModal('/phone', 'import +1 415 555 0151', 'numbers.import', harness.actors.admin);
    expect(view.title?.text).toBe('Request an import');
    const answer = await harness.slack.submitView(view, { capabilities: ['sms'], report_channel: 'C0REQCALLS' }, harness.actors.admin);
    expect(JSON.stringify(answer.json?.view)).toContain('its calls and texts reported in <#C0REQCALLS>');
    const request = await eventually(async () =>
      (await harness.app.services.store.numberRequests.pending({ limit: 100 })).find((candidate) => JSON.stringify(candidate.payload).includes('+14155550151')),
    );
    expect(request.payload).toMatchObject({ report: { channelId: 'C0REQCALLS' } });
    expect(JSON.stringify(await operatorMessage(harness.actors.operator, request.id))).toContain('reported in <#C0REQCALLS>');
    await click(harness.actors.operator, request.id, 'approve');
    const number = await eventually(
      () => [...harness.signalwire.numbers.values()].find((entry) => entry.number === '+14155550151' && entry.message_request_url),
      {
        timeoutMs: 15_000,
        message: 'the imported number pointed at Switchboard',
      },
    );
    expect(number.message_handler).toBe('laml_webhooks');
    expect(String(number.message_request_url)).toBe(`${harness.url}/webhooks/signalwire?number=${number.id}`);
    expect((await harness.app.services.store.numberReports.find('signalwire', String(number.id)))?.channelId).toBe('C0REQCALLS');
  });

  it('operators see pending requests on the Home tab, and approving there redraws the entry with who decided', async () => {
    const { request } = await askForSip('from-home');
    const publishes = harness.emulator.callsTo('views.publish').length;
    await harness.slack.event({ type: 'app_home_opened', user: harness.actors.operator.userId, tab: 'home', channel: 'D0HOME' }, { teamId: team.id });
    await eventually(() => harness.emulator.callsTo('views.publish').length > publishes);
    const home = await eventually(() => harness.emulator.homeViews.get(harness.actors.operator.userId));
    expect(JSON.stringify(home)).toContain('Requests for numbers');
    await harness.slack.clickButton({ view: home }, `numbers.request.approve:${request.id}`, harness.actors.operator);
    await eventually(() => vapiPosts().length === 1, { timeoutMs: 15_000, message: 'the Vapi number' });
    const redrawn = await eventually(() => {
      const text = JSON.stringify(harness.emulator.homeViews.get(harness.actors.operator.userId));
      return text.includes('from-home') && text.includes('Provisioned') ? text : undefined;
    });
    expect(redrawn).toContain(`Approved by <@${harness.actors.operator.userId}>`);
    expect(redrawn).not.toContain(`numbers.request.approve:${request.id}`);
    // An admin (who may ask, not provision) has no such list on theirs.
    await harness.slack.event({ type: 'app_home_opened', user: harness.actors.admin.userId, tab: 'home', channel: 'D0HOME2' }, { teamId: team.id });
    const adminHome = await eventually(() => harness.emulator.homeViews.get(harness.actors.admin.userId));
    expect(JSON.stringify(adminHome)).not.toContain('Requests for numbers');
  });

  it('the SIP passwords typed in this file are in no log line, and nowhere in the store in plain text', async () => {
    expect(passwords.length).toBeGreaterThan(3);
    await harness.app.services.audit.flush();
    const leaks = harness.logs.lines.flatMap((line, index) => passwords.filter((password) => line.includes(password)).map(() => `log line ${index}`));
    expect(leaks).toEqual([]);
    const config = harness.config.database;
    if (config.kind !== 'sqlite') throw new Error('this harness runs on SQLite');
    const engine = openSqliteEngine(config.path);
    try {
      for (const table of ['number_requests', 'jobs', 'audit_log', 'owned_numbers']) {
        const rows = JSON.stringify((await sql.raw(`select * from ${table}`).execute(engine.db)).rows);
        expect(passwords.filter((password) => rows.includes(password)).map(() => table)).toEqual([]);
      }
    } finally {
      await engine.close();
    }
  });
});

/** Raw SQL on the harness's database, for what only time (or a crash) would do. */
async function onTheDatabase(change: (db: ReturnType<typeof openSqliteEngine>['db']) => Promise<void>): Promise<void> {
  const config = harness.config.database;
  if (config.kind !== 'sqlite') throw new Error('this harness runs on SQLite');
  const engine = openSqliteEngine(config.path);
  try {
    await change(engine.db);
  } finally {
    await engine.close();
  }
}

/** The clock passes the request's expiry; with `expiryJob`, the job booked for it is due too. */
async function moveExpiryIntoThePast(requestId: string, { expiryJob = false } = {}): Promise<void> {
  await onTheDatabase(async (db) => {
    const past = Date.now() - 1;
    await sql`update number_requests set expires_at = ${past} where id = ${requestId}`.execute(db);
    if (expiryJob) await sql`update jobs set run_at = ${past} where dedupe_key = ${`numbers.request.expire:${requestId}`}`.execute(db);
  });
}

describe('who may decide, across workspaces (admins may provision)', () => {
  let world: World;
  let h: Harness;
  beforeAll(async () => {
    world = await startWorld({ vapi: true, env: { PERMISSIONS: 'numbers.provision=admins' } });
    h = world.harness;
    await world.installAcme();
    await world.installGlobex();
  });
  afterAll(() => h.stop());

  /** A request the Acme admin made while admins could only ask, and the operators' message for it. */
  async function acmeAdminsRequest(sipUser: string): Promise<{ request: NumberRequest; message: { blocks: unknown[] } }> {
    const requested = {
      backend: 'vapi' as const,
      body: { provider: 'vapi' as const, name: 'Asked earlier', sipUri: `sip:${sipUser}@sip.vapi.ai`, workflowId: 'wf-1' },
    };
    const { request } = await h.app.services.store.numberRequests.create({
      id: newId(),
      submission: `seeded:${sipUser}`,
      workspaceKey: teamKey(team.id),
      requestedBy: world.acmeAdmin.userId,
      backend: 'vapi',
      payload: storedPayload(requested),
      expiresAt: Date.now() + 3_600_000,
    });
    const message = numberRequestMessage(request, readRequestedNumber(request), 'Acme Ops') as { blocks: unknown[] };
    return { request, message };
  }

  async function clickAs(actor: Actor, message: { blocks: unknown[] }, action: 'approve' | 'deny'): Promise<string> {
    const responseUrl = h.emulator.newResponseUrl();
    await h.slack.clickButton({ message, responseUrl }, `numbers.request.${action}`, actor);
    return JSON.stringify((await eventually(() => h.emulator.responsesTo(responseUrl).at(-1))).body);
  }

  const posts = () => h.vapi.requestsTo('POST', '/phone-number');

  it('the requester cannot approve their own request, even as an admin who may provision; another admin of the workspace can', async () => {
    const { request, message } = await acmeAdminsRequest('own-request');
    expect(await clickAs(world.acmeAdmin, message, 'approve')).toContain('someone else must approve it');
    await settle();
    expect(posts()).toHaveLength(0);
    expect(await h.app.services.store.numberRequests.get(request.id)).toMatchObject({ status: 'pending' });
    const refused = await h.app.services.store.audit.list({ workspaceKey: teamKey(team.id), actions: ['numbers.request.approve'], limit: 5 });
    expect(refused[0]).toMatchObject({ outcome: 'refused', userId: world.acmeAdmin.userId });

    const installer = h.actors.installer;
    expect(await clickAs(installer, message, 'approve')).toContain(`Approved by <@${installer.userId}>`);
    await eventually(() => posts().length === 1, { timeoutMs: 15_000 });
    expect(posts()[0]?.problems).toEqual([]);
    expect(posts()[0]?.body).toMatchObject({ sipUri: 'sip:own-request@sip.vapi.ai', workflowId: 'wf-1' });
    const owned = await eventually(async () =>
      (await h.app.services.store.numbers.list({ limit: 10 })).find((number) => number.sipUri === 'sip:own-request@sip.vapi.ai'),
    );
    expect(owned).toMatchObject({
      workspaceKey: teamKey(team.id),
      createdBy: world.acmeAdmin.userId,
    });
  });

  it('a refusal on the Home tab (which has no response_url) opens a notice for the clicker', async () => {
    const { request } = await acmeAdminsRequest('home-refusal');
    await h.slack.event({ type: 'app_home_opened', user: world.acmeAdmin.userId, tab: 'home', channel: 'D0HOME3' }, { teamId: team.id });
    const home = await eventually(() => {
      const view = h.emulator.homeViews.get(world.acmeAdmin.userId);
      return JSON.stringify(view ?? {}).includes(`numbers.request.approve:${request.id}`) ? view : undefined;
    });
    const opened = h.emulator.callsTo('views.open').length;
    await h.slack.clickButton({ view: home }, `numbers.request.approve:${request.id}`, world.acmeAdmin);
    const notice = await eventually(
      () =>
        h.emulator
          .callsTo('views.open')
          .slice(opened)
          .find((call) => call.ok),
      { message: 'the refusal notice' },
    );
    expect(JSON.stringify(notice.args.view)).toContain('someone else must approve it');
    await settle();
    expect(posts().filter((post) => JSON.stringify(post.body).includes('home-refusal'))).toHaveLength(0);
    expect(await h.app.services.store.numberRequests.get(request.id)).toMatchObject({ status: 'pending' });
  });

  it('an admin of another workspace replaying the buttons is refused, nothing created; an operator may decide from any workspace', async () => {
    const { request, message } = await acmeAdminsRequest('cross-tenant');
    const before = posts().length;
    // Another workspace's request is answered as one that does not exist.
    expect(await clickAs(world.globexAdmin, message, 'approve')).toContain('There is no such number request in this workspace');
    expect(await clickAs(world.globexAdmin, message, 'deny')).toContain('There is no such number request in this workspace');
    await settle();
    expect(posts()).toHaveLength(before);
    expect(await h.app.services.store.numberRequests.get(request.id)).toMatchObject({ status: 'pending' });
    const refusals = await h.app.services.store.audit.list({
      workspaceKey: teamKey(globex.id),
      actions: ['numbers.provision'],
      limit: 5,
    });
    expect(refusals.map((entry) => entry.outcome)).toEqual(['not-found', 'not-found']);

    const operatorInGlobex: Actor = { userId: world.operator.userId, teamId: globex.id };
    expect(await clickAs(operatorInGlobex, message, 'approve')).toContain(`Approved by <@${world.operator.userId}>`);
    await eventually(() => posts().length === before + 1, { timeoutMs: 15_000 });
    const owned = await eventually(async () =>
      (await h.app.services.store.numbers.list({ limit: 10 })).find((number) => number.sipUri === 'sip:cross-tenant@sip.vapi.ai'),
    );
    expect(owned.workspaceKey).toBe(teamKey(team.id));
  });
});

describe('the policy and the messages', () => {
  it('whoever may provision may also ask; numbers.request=operators turns requests off', () => {
    expect(buildPolicy({})['numbers.request']).toBe('admins');
    expect(buildPolicy({ 'numbers.provision': 'everyone' })['numbers.request']).toBe('everyone');
    expect(buildPolicy({ 'numbers.request': 'operators' })['numbers.request']).toBe('operators');
    expect(buildPolicy({ 'numbers.request': 'everyone' })['numbers.request']).toBe('everyone');
  });

  it('the request form and the operators’ message stay within Slack’s limits, whatever was typed', () => {
    const form = asRequestForm(sipModal({ name: 'n'.repeat(80), origin: { channelId: 'C1' } }, 'sip.vapi.ai'), 'vapi');
    expect(checkView(form as never)).toEqual([]);
    expect(JSON.stringify(form)).not.toContain('"block_id":"share"');
    expect(isRequestForm(form as { blocks: { block_id?: string }[] })).toBe(true);
    expect(checkView(asRequestForm(importModal({ number: '+1 800 555 0100' }, 'US'), 'signalwire') as never)).toEqual([]);
    const long = 'x'.repeat(3000);
    const request: NumberRequest = {
      id: newId(),
      workspaceKey: teamKey(team.id),
      requestedBy: 'U0ADMIN',
      backend: 'vapi',
      payload: { body: { provider: 'vapi', name: `<!channel> ${long}`, sipUri: `sip:${long}@sip.vapi.ai`, server: { url: long } } },
      status: 'pending',
      requestedAt: Date.now(),
      expiresAt: Date.now() + 3_600_000,
      decidedBy: null,
      decidedAt: null,
    };
    const message = numberRequestMessage(request, readRequestedNumber(request), long);
    expect(checkMessage(message as never)).toEqual([]);
    expect(JSON.stringify(message)).not.toContain('<!channel>');
    expect(checkView(requestSentView(readRequestedNumber(request), request.expiresAt, { password: 'p'.repeat(40), warning: long }) as never)).toEqual([]);
  });
});
