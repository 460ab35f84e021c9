import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { endpointIdentifier } from '../../../src/features/phone/endpoint-jobs.js';
import { teamKey } from '../../../src/store/workspace-key.js';
import { checkMessage, checkView } from '../../kit/block-kit.js';
import { eventually, type Harness, startHarness, team } from '../../kit/harness.js';
import type { EmulatedView } from '../../kit/slack-emulator.js';

/** /phone register, list and remove against Novu channel endpoints, over real HTTP. */
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
  await harness.install();
});
afterAll(() => harness.stop());
beforeEach(() => {
  harness.novu.clearFaults();
  harness.novu.endpoints.clear();
  harness.novu.latencyMs = 0;
  harness.novu.requests.length = 0;
});

const endpointsPath = '/v1/channel-endpoints';
const posts = () => harness.novu.requestsTo('POST', endpointsPath);

const openRegister = (text: string): Promise<EmulatedView> => harness.openModal('/phone', text, 'phone.register');

/** Waits until the modal left its "Registering…" state, and returns what it shows. */
async function settledView(viewId: string): Promise<string> {
  return eventually(
    () => {
      const text = JSON.stringify(harness.emulator.views.get(viewId));
      return text.includes('Registering the phone endpoint') ? undefined : text;
    },
    { timeoutMs: 15_000, message: 'the registration result' },
  );
}

const fill = { 'phone.integration': 'whatsapp-business' };

describe('/phone register', () => {
  it('opens the modal prefilled, before any Novu call; one valid POST with the E.164 number; a second submit makes no second endpoint', async () => {
    const novuCalls = harness.novu.requests.length;
    const view = await openRegister('register +14155550100 sub-1');
    expect(harness.novu.requests.length).toBe(novuCalls);
    expect(checkView(view)).toEqual([]);
    expect(JSON.stringify(view)).toContain('+14155550100');
    expect(JSON.stringify(view)).toContain('sub-1');

    const answer = await harness.slack.submitView(view, fill, harness.actors.admin);
    expect(answer.json?.response_action).toBe('update');
    const result = await settledView(view.id);
    const identifier = endpointIdentifier(team.id, 'whatsapp-business', 'sub-1', '+14155550100');
    expect(result).toContain(identifier);
    expect(result).toContain('(415) 555-0100');
    expect(posts()).toHaveLength(1);
    expect(posts()[0]?.problems).toEqual([]);
    expect(posts()[0]?.body).toMatchObject({
      type: 'phone',
      subscriberId: 'sub-1',
      integrationIdentifier: 'whatsapp-business',
      endpoint: { phoneNumber: '+14155550100' },
      identifier,
    });
    expect(String(posts()[0]?.headers['idempotency-key'])).toContain('channel-endpoints.create');

    await harness.slack.submitView(view, fill, harness.actors.admin);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(harness.novu.endpoints.size).toBe(1);
    const again = await openRegister('register (415) 555-0100 sub-1');
    await harness.slack.submitView(again, fill, harness.actors.admin);
    expect(await settledView(again.id)).toContain('already registered');
    expect(harness.novu.endpoints.size).toBe(1);
    const audit = await harness.app.services.store.audit.list({ workspaceKey: teamKey(team.id), actions: ['endpoint.register'], limit: 5 });
    expect(audit[0]).toMatchObject({ outcome: 'ok', userId: harness.actors.admin.userId, backendId: identifier });
  });

  it('two submissions racing make one endpoint', async () => {
    harness.novu.latencyMs = 150;
    const view = await openRegister('register +14155550111 sub-2');
    await Promise.all([harness.slack.submitView(view, fill, harness.actors.admin), harness.slack.submitView(view, fill, harness.actors.admin)]);
    await settledView(view.id);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(harness.novu.endpoints.size).toBe(1);
  });

  it('a form closed before the result: the registration is told by direct message instead', async () => {
    harness.novu.latencyMs = 300;
    const view = await openRegister('register +14155550112 sub-closed');
    harness.novu.subscribers.set('sub-closed', { subscriberId: 'sub-closed' });
    const answer = harness.slack.submitView(view, { ...fill, subscriber: 'sub-closed', number: '+14155550112' }, harness.actors.admin);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The person closes the modal: Slack no longer has it.
    harness.emulator.views.delete(view.id);
    expect((await answer).json).toMatchObject({ response_action: 'update' });
    await eventually(
      () =>
        harness.emulator
          .callsTo('chat.postMessage')
          .some((call) => call.ok && String(call.args.text).includes('sub-closed') && String(call.args.text).includes('is registered in Novu')),
      { message: 'the direct message' },
    );
  });

  const inputs: [string, string | RegExp][] = [
    ['(415) 555-0100', '+14155550100'],
    ['415-555-0100', '+14155550100'],
    ['415.555.0100', '+14155550100'],
    ['415 555 0100', '+14155550100'],
    ['+1 (415) 555-0100', '+14155550100'],
    ['+1.415.555.0100', '+14155550100'],
    ['1 415 555 0100', '+14155550100'],
    ['+44 20 7946 0958', '+442079460958'],
    ['+442079460958', '+442079460958'],
    ['00 44 20 7946 0958', '+442079460958'],
    ['0049 30 901820', '+4930901820'],
    ['+49 30 901820', '+4930901820'],
    ['+33 1 42 68 53 00', '+33142685300'],
    ['+81 3-1234-5678', '+81312345678'],
    ['tel:+14155550100', '+14155550100'],
    ['tel:+1-415-555-0100', '+14155550100'],
    ['  +1 415 555 0100  ', '+14155550100'],
    ['\t+1 415 555 0100\n', '+14155550100'],
    ['+1\u00a0415\u00a0555\u00a00100', '+14155550100'],
    ['+1 415 555 01', /too short/i],
    ['12', /too short|not a phone number|valid/i],
    ['+1 415 555 0100 0000 0000', /too long|valid/i],
    ['', /enter a phone number/i],
    ['call me maybe', /not a phone number|letters|digits/i],
    ['📞📞📞', /not a phone number|digits/i],
    ['+999 123 456', /country|valid/i],
    ['9'.repeat(3000).slice(0, 64), /too long|valid/i],
  ];
  it.each(inputs)('%j → %s', async (input, expected) => {
    const view = await openRegister('register');
    const novuCalls = posts().length;
    const answer = await harness.slack.submitView(view, { ...fill, subscriber: 'sub-1', number: input }, harness.actors.admin);
    if (typeof expected === 'string') {
      expect(answer.json?.response_action).toBe('update');
      await settledView(view.id);
      expect((posts().at(-1)?.body as { endpoint?: { phoneNumber?: string } } | undefined)?.endpoint?.phoneNumber).toBe(expected);
    } else {
      expect(answer.json?.response_action).toBe('errors');
      expect(answer.json?.errors.number).toMatch(expected);
      expect(posts().length).toBe(novuCalls);
    }
  });

  it('a 3000-character paste is refused inline without a Novu call', async () => {
    const view = await openRegister('register');
    const answer = await harness.slack.submitView(view, { ...fill, subscriber: 'sub-1', number: '5'.repeat(3000) }, harness.actors.admin);
    expect(answer.json?.response_action).toBe('errors');
    expect(answer.json?.errors.number).toBeTruthy();
  });

  it('checks subscriber, integration and identifier before sending anything, and offers no context to type', async () => {
    const view = await openRegister('register +14155550100');
    expect(JSON.stringify(view.blocks)).not.toContain('"block_id":"context"');
    const before = posts().length;
    const answer = await harness.slack.submitView(view, { subscriber: '', 'phone.integration': null, identifier: 'has spaces in it' }, harness.actors.admin);
    expect(answer.json?.response_action).toBe('errors');
    expect(Object.keys(answer.json?.errors ?? {}).sort()).toEqual(['identifier', 'integration', 'subscriber']);
    expect(posts()).toHaveLength(before);
  });

  it('the integration picker offers, and the form accepts, only integrations that deliver to phone numbers', async () => {
    const view = await openRegister('register +14155550100 sub-1');
    const answer = await harness.slack.suggest(view, 'phone.integration', '', harness.actors.admin);
    expect(((answer.json?.options ?? []) as { value: string }[]).map((option) => option.value)).toEqual(['whatsapp-business', 'twilio-sms', 'vonage-sms']);
    const before = posts().length;
    const slack = await harness.slack.submitView(view, { 'phone.integration': 'slack-prod' }, harness.actors.admin);
    expect(slack.json?.errors.integration).toContain('is not an integration that delivers to phone numbers');
    expect(posts()).toHaveLength(before);
  });

  const novuAnswers: [string, () => void, RegExp][] = [
    ['404 Subscriber not found', () => {}, /Subscriber ID.*Novu has no subscriber \S+ in this workspace/],
    [
      '404 Feature not enabled',
      () =>
        harness.novu.inject({
          match: `POST ${endpointsPath}`,
          reply: { status: 404, body: { statusCode: 404, message: 'Feature not enabled', error: 'Not Found' } },
        }),
      /support@novu.co/,
    ],
    [
      '422 validation',
      () =>
        harness.novu.inject({
          match: `POST ${endpointsPath}`,
          reply: { status: 422, body: { statusCode: 422, message: 'Validation failed', errors: { 'endpoint.phoneNumber': { messages: ['must be valid'] } } } },
        }),
      /422.*endpoint.phoneNumber: must be valid/,
    ],
  ];
  it.each(novuAnswers)('Novu %s: explained in the modal, pointing at the field', async (_name, arrange, expected) => {
    arrange();
    const subscriber = _name.includes('Subscriber') ? 'nobody-here' : 'sub-1';
    const view = await openRegister(`register +14155550123 ${subscriber}`);
    await harness.slack.submitView(view, fill, harness.actors.admin);
    const shown = await settledView(view.id);
    expect(shown).toMatch(expected);
    expect(shown).toContain('phone.register');
    expect(shown).toContain('Post the result in this channel');
  });

  it('a subscriber Novu does not have: the form says what to do in plain words, and Novu’s developer words wait in the details line', async () => {
    const view = await openRegister('register +14155550124 nobody-known');
    await harness.slack.submitView(view, fill, harness.actors.admin);
    await settledView(view.id);
    const blocks = (harness.emulator.views.get(view.id)?.blocks ?? []) as { type: string; text?: { text: string }; elements?: { text?: string }[] }[];
    const isDetails = (block: (typeof blocks)[number]) => block.type === 'context' && (block.elements?.[0]?.text ?? '').startsWith('Details:');
    const main = blocks.filter((block) => block.type === 'section').map((block) => block.text?.text ?? '');
    expect(main[0]).toContain('*Subscriber ID:* Novu has no subscriber nobody-known in this workspace. Create it in Novu first, or pick another subscriber.');
    // Nothing but the details line speaks Novu's API.
    expect(JSON.stringify(blocks.filter((block) => !isDetails(block)))).not.toMatch(/createSubscriberIfMissing|POST \/v1/);
    const details = blocks.filter(isDetails).map((block) => block.elements?.[0]?.text ?? '');
    expect(details).toHaveLength(1);
    expect(details[0]).toContain('Novu answered 404: Subscriber not found: nobody-known.');
    expect(details[0]).toContain('createSubscriberIfMissing');
    expect(details[0]).toContain('POST /v1/subscribers');
  });

  it('the result offers Test through Novu to who may test, and not to who may only register', async () => {
    const view = await openRegister('register +14155550125 sub-1');
    await harness.slack.submitView(view, fill, harness.actors.admin);
    expect(await settledView(view.id)).toContain('"action_id":"delivery.test"');

    const limited = await startHarness({ env: { PERMISSIONS: 'delivery.test=operators' } });
    try {
      await limited.install();
      const form = await limited.openModal('/phone', 'register +14155550126 sub-1', 'phone.register');
      await limited.slack.submitView(form, fill, limited.actors.admin);
      const shown = await eventually(() => {
        const text = JSON.stringify(limited.emulator.views.get(form.id));
        return text.includes('Registered') ? text : undefined;
      });
      expect(shown).not.toContain('delivery.test');
    } finally {
      await limited.stop();
    }
  });

  it('409 for an identifier another endpoint holds: says so, pointing at the identifier', async () => {
    const view = await openRegister('register +14155550100 sub-1');
    harness.novu.endpoints.set('taken-id', {
      identifier: 'taken-id',
      type: 'phone',
      subscriberId: 'sub-2',
      integrationIdentifier: 'whatsapp-business',
      connectionIdentifier: null,
      contextKeys: [],
      endpoint: { phoneNumber: '+14155550999' },
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    });
    await harness.slack.submitView(view, { ...fill, identifier: 'taken-id' }, harness.actors.admin);
    const shown = await settledView(view.id);
    expect(shown).toContain('Endpoint identifier');
    expect(shown).toContain('already used by another endpoint');
  });

  it('429 then 201, and 500 three times then 201: registered, once', async () => {
    harness.novu.inject({
      match: `POST ${endpointsPath}`,
      reply: { status: 429, headers: { 'retry-after': '1' }, body: { message: 'API rate limit exceeded' } },
    });
    const first = await openRegister('register +14155550131 sub-1');
    await harness.slack.submitView(first, fill, harness.actors.admin);
    expect(await settledView(first.id)).toContain('Registered');

    harness.novu.inject({ match: `POST ${endpointsPath}`, times: 3, reply: { status: 500, body: { statusCode: 500, message: 'Internal server error' } } });
    const second = await openRegister('register +14155550132 sub-1');
    await harness.slack.submitView(second, fill, harness.actors.admin);
    expect(await settledView(second.id)).toContain('Registered');
    expect(harness.novu.endpoints.size).toBe(2);
  });

  it('a timeout: the modal says it carries on, and the person gets a DM with the result', async () => {
    harness.novu.inject({ match: `POST ${endpointsPath}`, times: 5, delayMs: 2_500 });
    const view = await openRegister('register +14155550141 sub-1');
    await harness.slack.submitView(view, fill, harness.actors.admin);
    const shown = await settledView(view.id);
    expect(shown).toMatch(/Registered|keeps trying/);
    await eventually(() => harness.novu.endpoints.size === 1, { timeoutMs: 20_000, message: 'the endpoint, eventually' });
    if (shown.includes('keeps trying')) {
      await eventually(() => harness.emulator.callsTo('chat.postMessage').some((call) => String(call.args.text).includes('is registered in Novu')), {
        timeoutMs: 10_000,
        message: 'the DM',
      });
    }
  });

  it('a member may not register: refused inline and audited, nothing sent', async () => {
    const view = await openRegister('register +14155550100 sub-1');
    const before = posts().length;
    const answer = await harness.slack.submitView(view, fill, harness.actors.member);
    expect(answer.json?.response_action).toBe('errors');
    expect(answer.json?.errors.subscriber).toContain('Only workspace admins');
    expect(posts()).toHaveLength(before);
  });
});

describe('/phone list and remove', () => {
  /** Endpoints this workspace registered: in Novu, in its scope, and in Switchboard's records. */
  async function seed(count: number, subscriberOf: (index: number) => string = (index) => (index % 2 ? 'sub-1' : 'sub-2'), prefix = 'ep') {
    for (let index = 0; index < count; index += 1) {
      const at = Date.UTC(2026, 0, 1, 0, index);
      const subscriberId = subscriberOf(index);
      const phoneNumber = `+1415555${String(1000 + index)}`;
      harness.novu.endpoints.set(`${prefix}-${index}`, {
        identifier: `${prefix}-${index}`,
        type: 'phone',
        subscriberId,
        integrationIdentifier: 'whatsapp-business',
        connectionIdentifier: null,
        contextKeys: [`tenant:${team.id}`],
        endpoint: { phoneNumber },
        createdAt: new Date(at).toISOString(),
        updatedAt: new Date(at).toISOString(),
      });
      await harness.app.services.store.endpoints.add(
        {
          identifier: `${prefix}-${index}`,
          workspaceKey: teamKey(team.id),
          type: 'phone',
          subscriberId,
          integrationIdentifier: 'whatsapp-business',
          connectionIdentifier: null,
          target: phoneNumber,
          createdBy: harness.actors.admin.userId,
          contextKeys: [`tenant:${team.id}`],
        },
        at,
      );
    }
  }

  it('pages 25 endpoints newest first with More, each with Remove', async () => {
    await seed(25);
    const response = await harness.slack.command('/phone', 'list', harness.actors.admin);
    const first = await eventually(() => harness.emulator.responsesTo(response.responseUrl ?? '').at(-1));
    expect(checkMessage(first.body)).toEqual([]);
    const text = JSON.stringify(first.body);
    expect(text).toContain('ep-24');
    expect(text).not.toContain('ep-14"');
    expect(text.match(/phone\.remove:\d/g)).toHaveLength(10);
    await harness.slack.clickButton({ message: first.body, responseUrl: response.responseUrl }, 'phone.list.more', harness.actors.admin);
    const second = await eventually(() => {
      const posts = harness.emulator.responsesTo(response.responseUrl ?? '');
      return posts.length > 1 ? posts.at(-1) : undefined;
    });
    expect(JSON.stringify(second.body)).toContain('ep-14');
    expect(JSON.stringify(second.body)).toContain('Page 2');
    expect(second.body.replace_original).toBe(true);
  });

  it('with a 200-character subscriber filter, More still carries the whole filter and its cursor; a longer one is refused with the limit', async () => {
    const longSubscriber = `s${'x'.repeat(199)}`;
    await seed(30, () => longSubscriber, 'long');
    const response = await harness.slack.command('/phone', `list ${longSubscriber}`, harness.actors.admin);
    const first = await eventually(() => harness.emulator.responsesTo(response.responseUrl ?? '').at(-1));
    expect(checkMessage(first.body)).toEqual([]);
    await harness.slack.clickButton({ message: first.body, responseUrl: response.responseUrl }, 'phone.list.more', harness.actors.admin);
    const second = await eventually(() => {
      const posts = harness.emulator.responsesTo(response.responseUrl ?? '');
      return posts.length > 1 ? posts.at(-1) : undefined;
    });
    expect(JSON.stringify(second.body)).toContain('Page 2');
    const secondPage = JSON.stringify(second.body).match(/long-\d+/g) ?? [];
    expect(new Set(secondPage)).toEqual(new Set(Array.from({ length: 10 }, (_, index) => `long-${19 - index}`)));

    const tooLong = await harness.slack.command('/phone', `list ${longSubscriber}y`, harness.actors.admin);
    expect(JSON.stringify(tooLong.json ?? (await eventually(() => harness.emulator.responsesTo(tooLong.responseUrl ?? '').at(-1))).body)).toContain('200');
  });

  it('filters by subscriber, and says so when there is nothing', async () => {
    await seed(4);
    const response = await harness.slack.command('/phone', 'list sub-1', harness.actors.admin);
    const page = JSON.stringify((await eventually(() => harness.emulator.responsesTo(response.responseUrl ?? '').at(-1))).body);
    expect(page).toContain('ep-3');
    expect(page).not.toContain('ep-2"');
    const empty = await harness.slack.command('/phone', 'list nobody', harness.actors.admin);
    const none = JSON.stringify((await eventually(() => harness.emulator.responsesTo(empty.responseUrl ?? '').at(-1))).body);
    expect(none).toContain('No phone endpoints');
  });

  it('remove asks for confirmation, deletes once, and reports a missing endpoint plainly', async () => {
    await seed(1);
    const prompt = await harness.slack.command('/phone', 'remove ep-0', harness.actors.admin);
    const message = (await eventually(() => harness.emulator.responsesTo(prompt.responseUrl ?? '').at(-1))).body;
    expect(JSON.stringify(message)).toContain('"confirm"');
    expect(harness.novu.requests.some((request) => request.method === 'DELETE')).toBe(false);
    await Promise.all([
      harness.slack.clickButton({ message, responseUrl: prompt.responseUrl }, 'phone.remove', harness.actors.admin),
      harness.slack.clickButton({ message, responseUrl: prompt.responseUrl }, 'phone.remove', harness.actors.admin),
    ]);
    await eventually(() => harness.emulator.responsesTo(prompt.responseUrl ?? '').some((post) => JSON.stringify(post.body).includes('Removed')));
    expect(harness.novu.requestsTo('DELETE', `${endpointsPath}/ep-0`)).toHaveLength(1);

    const again = await harness.slack.command('/phone', 'remove ep-0', harness.actors.admin);
    const againMessage = (await eventually(() => harness.emulator.responsesTo(again.responseUrl ?? '').at(-1))).body;
    await harness.slack.clickButton({ message: againMessage, responseUrl: again.responseUrl }, 'phone.remove', harness.actors.admin);
    const gone = await eventually(() =>
      harness.emulator.responsesTo(again.responseUrl ?? '').find((post) => JSON.stringify(post.body).includes('There is no such route or phone endpoint')),
    );
    expect(gone).toBeDefined();
  });

  it('a member cannot remove', async () => {
    await seed(1);
    const responseUrl = harness.emulator.newResponseUrl();
    await harness.slack.clickButton(
      {
        message: {
          blocks: [
            {
              type: 'actions',
              block_id: 'x',
              elements: [{ type: 'button', action_id: 'phone.remove', value: 'ep-0', text: { type: 'plain_text', text: 'Remove' } }],
            },
          ],
        },
        responseUrl,
      },
      'phone.remove',
      harness.actors.member,
    );
    await eventually(() => harness.emulator.responsesTo(responseUrl).at(-1));
    expect(harness.novu.endpoints.has('ep-0')).toBe(true);
  });
});
