import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { teamKey } from '../../../src/store/workspace-key.js';
import { eventually, type Harness } from '../../kit/harness.js';
import { integratorTrigger } from '../../kit/integrator.js';
import type { EmulatedView, PostedMessage } from '../../kit/slack-emulator.js';
import type { Actor } from '../../kit/slack-sender.js';
import { acme, startWorld, type World } from '../../tenancy/world.js';

/**
 * "Registered" means "will receive": Novu's SMS step sends to the subscriber's own phone, never to a
 * phone endpoint (send-message-sms.usecase.ts), so a number registered on an SMS integration
 * becomes the subscriber's phone — or, when the subscriber has another, the person is asked. The
 * test kit's Novu sends SMS as the worker does, and the test asserts the text reached the phone.
 */
let world: World;
let h: Harness;
beforeEach(async () => {
  world = await startWorld({ env: { NOVU_TEST_WAIT_SECONDS: '3' } });
  h = world.harness;
  await world.installAcme();
  h.novu.addWorkflow('otp', ['sms'], 'Your code is {{payload.code}}');
});
afterEach(() => h.stop());

const settled = (id: string, marker: string) =>
  eventually(() => (JSON.stringify(h.emulator.views.get(id)).includes(marker) ? (h.emulator.views.get(id) as EmulatedView) : undefined), {
    message: marker,
    timeoutMs: 8_000,
  });

async function register(number: string, subscriberId: string, integration = 'twilio-sms', actor: Actor = world.acmeAdmin): Promise<EmulatedView> {
  const view = await h.openModal('/phone', `register ${number} ${subscriberId}`, 'phone.register', actor);
  await h.slack.submitView(view, { 'phone.integration': integration }, actor);
  return settled(view.id, 'phone-registered-test');
}

const smsTo = (number: string) => h.phones.textsTo(number).filter((text) => text.channel === 'sms');

describe('a number registered on an SMS integration', () => {
  it('becomes the subscriber’s phone when it has none, so an SMS trigger reaches it; audited', async () => {
    h.novu.subscribers.set('sms-new', { subscriberId: 'sms-new' });
    const view = await register('(415) 555-0101', 'sms-new');
    expect(JSON.stringify(view.blocks)).toContain('is now');
    expect(h.novu.subscribers.get('sms-new')?.phone).toBe('+14155550101');
    expect(h.novu.requestsTo('PATCH', '/v2/subscribers/sms-new')[0]?.problems).toEqual([]);

    await integratorTrigger(h.novu, { name: 'otp', to: 'sms-new', payload: { code: '4242' }, context: { tenant: acme.id } });
    expect(smsTo('+14155550101').map((text) => text.body)).toEqual(['Your code is 4242']);
    const audit = await h.app.services.store.audit.list({ workspaceKey: teamKey(acme.id), actions: ['subscriber.phone'], limit: 5 });
    expect(audit[0]).toMatchObject({ outcome: 'ok', target: 'sms-new', userId: world.acmeAdmin.userId });
  });

  it('keeps a subscriber’s other phone until the person confirms, shows the old one, and then SMS reaches the new number', async () => {
    h.novu.subscribers.set('sms-old', { subscriberId: 'sms-old', phone: '+14155550111' });
    const view = await register('+1 415 555 0122', 'sms-old');
    const text = JSON.stringify(view.blocks);
    expect(text).toContain('+14155550111');
    expect(text).toContain('Use this number for SMS');
    expect(h.novu.subscribers.get('sms-old')?.phone).toBe('+14155550111');
    await integratorTrigger(h.novu, { name: 'otp', to: 'sms-old', payload: { code: '1' }, context: { tenant: acme.id } });
    expect(smsTo('+14155550122')).toEqual([]);

    await h.slack.clickButton({ view }, 'delivery.phone.set', world.acmeAdmin);
    await settled(view.id, 'is now');
    expect(h.novu.subscribers.get('sms-old')?.phone).toBe('+14155550122');
    await integratorTrigger(h.novu, { name: 'otp', to: 'sms-old', payload: { code: '2' }, context: { tenant: acme.id } });
    expect(smsTo('+14155550122').map((sms) => sms.body)).toEqual(['Your code is 2']);
    const audit = await h.app.services.store.audit.list({ workspaceKey: teamKey(acme.id), actions: ['subscriber.phone'], limit: 5 });
    expect(audit[0]?.detail).toMatchObject({ phone: '+14155550122', previous: '+14155550111' });
  });

  it('replaces nothing when the phone changed in Novu since the person looked', async () => {
    h.novu.subscribers.set('sms-race', { subscriberId: 'sms-race', phone: '+14155550133' });
    const view = await register('+14155550144', 'sms-race');
    h.novu.subscribers.set('sms-race', { subscriberId: 'sms-race', phone: '+14155550155' });
    await h.slack.clickButton({ view }, 'delivery.phone.set', world.acmeAdmin);
    expect(JSON.stringify((await settled(view.id, 'nothing was replaced')).blocks)).toContain('+14155550155');
    expect(h.novu.subscribers.get('sms-race')?.phone).toBe('+14155550155');
  });

  it('another workspace’s admin replaying “Use this number for SMS” changes nothing; a member is refused', async () => {
    h.novu.subscribers.set('sms-owned', { subscriberId: 'sms-owned', phone: '+14155550166' });
    const view = await register('+14155550177', 'sms-owned');
    await world.installGlobex();
    await h.slack.clickButton({ view }, 'delivery.phone.set', world.globexAdmin);
    await h.slack.clickButton({ view }, 'delivery.phone.set', world.acmeMember);
    await settled(view.id, 'Only workspace admins');
    await eventually(() => [...h.emulator.messages.values()].some((message) => message.text.includes('no such route or phone endpoint')));
    expect(h.novu.requestsTo('PATCH', '/v2/subscribers/sms-owned')).toHaveLength(0);
    expect(h.novu.subscribers.get('sms-owned')?.phone).toBe('+14155550166');
  });

  it('Test through Novu reports the SMS delivered to the number, or to the subscriber’s other phone', async () => {
    h.novu.subscribers.set('sms-test', { subscriberId: 'sms-test' });
    const view = await register('+14155550188', 'sms-test');
    await h.slack.clickButton({ view }, 'delivery.test', world.acmeAdmin);
    const delivered = JSON.stringify((await settled(view.id, 'Delivered')).blocks);
    expect(delivered).toContain('sent the test SMS to `+14155550188`');
    expect(smsTo('+14155550188')).toHaveLength(1);

    h.novu.subscribers.set('sms-test', { subscriberId: 'sms-test', phone: '+14155550199' });
    await h.slack.clickButton({ view }, 'delivery.test', world.acmeAdmin);
    const elsewhere = JSON.stringify((await settled(view.id, 'Not delivered to')).blocks);
    expect(elsewhere).toContain('+14155550199');
    expect(smsTo('+14155550199')).toHaveLength(1);
  });
});

describe('a number registered on a chat integration that reaches phones (WhatsApp Business)', () => {
  it('leaves the subscriber’s phone alone, and a chat trigger in the workspace’s context reaches the number', async () => {
    h.novu.subscribers.set('wa-1', { subscriberId: 'wa-1' });
    const view = await register('+14155550210', 'wa-1', 'whatsapp-business');
    expect(JSON.stringify(view.blocks)).not.toContain('phone in Novu');
    expect(h.novu.requestsTo('PATCH', '/v2/subscribers/wa-1')).toHaveLength(0);
    h.novu.addWorkflow('notice', ['chat'], 'Notice: {{payload.text}}');
    await integratorTrigger(h.novu, { name: 'notice', to: 'wa-1', payload: { text: 'hi' }, context: { tenant: acme.id } });
    expect(h.phones.textsTo('+14155550210').map((text) => [text.channel, text.providerId, text.body])).toEqual([['chat', 'whatsapp-business', 'Notice: hi']]);
  });
});

describe('numbers imported from a CSV file on an SMS integration', () => {
  const dm = () => `D${world.acmeAdmin.userId.slice(1)}`;
  /** The import's message in the admin's DM (file shares left out), once it says `text`. */
  const importSays = (text: string) =>
    eventually(
      () => {
        const latest = [...h.emulator.messages.values()].filter((message) => message.channel === dm() && !message.files).at(-1);
        return latest?.text.includes(text) ? (structuredClone(latest) as PostedMessage) : undefined;
      },
      { message: text, timeoutMs: 20_000 },
    );

  it('set the phone of a subscriber who had none, keep another one (the summary and /connect check say so), and SMS go where Novu sends them', async () => {
    h.novu.subscribers.set('csv-new', { subscriberId: 'csv-new' });
    h.novu.subscribers.set('csv-kept', { subscriberId: 'csv-kept', phone: '+14155550301' });
    const csv = 'subscriberId,phone\ncsv-new,(415) 555-0302\ncsv-kept,+1 415 555 0303\n';
    const file = h.emulator.files.addUpload({ teamId: acme.id, userId: world.acmeAdmin.userId, name: 'team.csv', content: csv });
    const form = await h.openModal('/phone', 'import-csv', 'phone.csv');
    await h.slack.submitView(form, { 'phone.csv.file': [file], 'phone.integration': 'twilio-sms' }, world.acmeAdmin);
    const plan = await importSays('Dry run of team.csv: 2 to register');
    await h.slack.clickButton({ message: { blocks: plan.blocks }, responseUrl: h.emulator.newResponseUrl(dm()) }, 'phone.csv.apply', world.acmeAdmin);
    const done = await importSays('Import of team.csv: 2 registered, 0 already registered, 0 failed.');
    const summary = JSON.stringify(done.blocks);
    expect(summary).toContain('1 number on an SMS integration belongs to a subscriber who already has another phone in Novu');
    expect(summary).toContain('/connect check');

    expect(h.novu.subscribers.get('csv-new')?.phone).toBe('+14155550302');
    expect(h.novu.subscribers.get('csv-kept')?.phone).toBe('+14155550301');
    const audit = await h.app.services.store.audit.list({ workspaceKey: teamKey(acme.id), actions: ['subscriber.phone'], limit: 5 });
    expect(audit.map((entry) => [entry.outcome, entry.target])).toEqual([['ok', 'csv-new']]);

    const check = await h.slack.command('/connect', 'check', world.acmeAdmin);
    const report = await eventually(
      () => h.emulator.responsesTo(check.responseUrl ?? '').find((post) => JSON.stringify(post.body).includes('Delivery check')),
      {
        message: 'the delivery report',
      },
    );
    const reported = JSON.stringify(report.body);
    expect(reported).toContain('Would not deliver: 1 of 2 routes and phone endpoints');
    expect(reported).toContain('sends `csv-kept`’s SMS to `+14155550301`');
    expect(reported).not.toContain('csv-new`’s SMS');

    for (const subscriberId of ['csv-new', 'csv-kept']) {
      await integratorTrigger(h.novu, { name: 'otp', to: subscriberId, payload: { code: subscriberId }, context: { tenant: acme.id } });
    }
    expect(smsTo('+14155550302').map((sms) => sms.body)).toEqual(['Your code is csv-new']);
    expect(smsTo('+14155550301').map((sms) => sms.body)).toEqual(['Your code is csv-kept']);
    expect(smsTo('+14155550303')).toEqual([]);
  });
});
