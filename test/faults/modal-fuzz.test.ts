import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSetup } from '../../src/features/connect/handlers.js';
import { readImportForm } from '../../src/features/numbers/import-form.js';
import { readSipForm } from '../../src/features/numbers/sip-read.js';
import { readRegistration } from '../../src/features/phone/register-form.js';
import { teamKey } from '../../src/store/workspace-key.js';
import { NovuScope } from '../../src/tenancy/novu-scope.js';
import { tenantOfKey } from '../../src/tenancy/tenant.js';
import { type Harness, startHarness } from '../kit/harness.js';
import { OpenApiValidator } from '../kit/openapi.js';

/**
 * Every modal's reader, fed random state: unicode, huge strings, missing blocks, wrong types,
 * extra blocks. The answer is field errors, or a body the vendor's own spec accepts — never a throw.
 */
const novuSpec = new OpenApiValidator('novu');
const tenant = tenantOfKey(teamKey('T0TEAM0001'));
const scope = new NovuScope({ contextType: 'tenant', subscriberTemplate: 'slack-{tenant}' });
const setupScope = { tenantEntry: 'tenant:T0TEAM0001', tenantSubscriber: 'slack-T0TEAM0001', canChooseScope: false };
const vapiSpec = new OpenApiValidator('vapi');
const signalWireSpec = new OpenApiValidator('signalwire');

const text = fc.oneof(
  fc.string({ maxLength: 50 }),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.string({ minLength: 3000, maxLength: 3200 }),
  fc.constantFrom('+1 415 555 0100', '(415) 555-0100', '+44 20 7946 0958', 'sub-1', 'tenant:acme', '415', 'https://example.com/x', 'a'.repeat(25)),
);
const element = fc.oneof(
  fc.record({ type: fc.constant('plain_text_input'), value: fc.option(text, { nil: null }) }),
  fc.record({
    type: fc.constant('external_select'),
    selected_option: fc.option(fc.record({ value: text, text: fc.record({ type: fc.constant('plain_text'), text }) }), { nil: null }),
  }),
  fc.record({
    type: fc.constant('radio_buttons'),
    selected_option: fc.option(
      fc.record({ value: fc.constantFrom('free', 'sip', 'assistant', 'squad', 'workflow', 'server', 'shared', 'subscriber', 'tollfree', 'longcode', 'x') }),
      { nil: null },
    ),
  }),
  fc.record({
    type: fc.constant('checkboxes'),
    selected_options: fc.array(fc.record({ value: fc.constantFrom('sms', 'voice', 'fax', 'mms', 'in_channel', 'on', 'bogus') }), { maxLength: 5 }),
  }),
  fc.anything(),
);

/** State values keyed by block then action, with the given ids sometimes present, sometimes not, plus extras. */
function stateFor(ids: string[]) {
  return fc
    .tuple(
      fc.subarray(ids),
      fc.array(element, { minLength: ids.length, maxLength: ids.length }),
      fc.dictionary(fc.string({ maxLength: 8 }), fc.anything(), { maxKeys: 3 }),
    )
    .map(([present, elements, extra]) => {
      const values: Record<string, Record<string, unknown>> = {};
      present.forEach((id, index) => {
        values[id] = { [id]: elements[index] };
      });
      for (const [key, value] of Object.entries(extra)) values[`extra-${key}`] = { x: value };
      return values;
    });
}

describe('modal readers never throw and never pass an invalid body', () => {
  it('/phone register', () => {
    const ids = ['subscriber', 'number', 'integration', 'connection', 'context', 'identifier'];
    const withActions = (values: Record<string, Record<string, unknown>>) => {
      // The two pickers use namespaced action ids.
      const out: Record<string, Record<string, unknown>> = { ...values };
      for (const [block, action] of [
        ['integration', 'phone.integration'],
        ['connection', 'phone.connection'],
      ] as const) {
        if (values[block]) out[block] = { [action]: values[block]?.[block] };
      }
      return out;
    };
    fc.assert(
      fc.property(stateFor(ids), (values) => {
        const read = readRegistration(withActions(values) as never, 'US', { tenant, scope });
        if ('errors' in read) return Object.keys(read.errors).length > 0;
        return (
          novuSpec.validateRequest('POST', '/v1/channel-endpoints', read.body).length === 0 &&
          /^\+\d{6,15}$/.test(read.body.endpoint.phoneNumber) &&
          read.body.context?.tenant === tenant.id
        );
      }),
      { numRuns: 400 },
    );
  });

  it('/phone sip', () => {
    const ids = [
      'name',
      'numbers.sip.kind',
      'numbers.sip.login',
      'numbers.sip.answered_by',
      'area_code',
      'sip_user',
      'sip_username',
      'sip_password',
      'numbers.assistant',
      'numbers.squad',
      'workflow',
      'server_url',
      'server_timeout',
      'fallback',
    ];
    fc.assert(
      fc.property(stateFor(ids), (values) => {
        const read = readSipForm({ state: { values: values as never } }, 'sip.vapi.ai', 'US');
        if ('errors' in read) return Object.keys(read.errors).length > 0;
        return vapiSpec.validateRequest('POST', '/phone-number', read.body).length === 0;
      }),
      { numRuns: 400 },
    );
  });

  it('/phone import', () => {
    fc.assert(
      fc.property(stateFor(['number', 'number_type', 'capabilities', 'name']), (values) => {
        const read = readImportForm(values as never, 'US');
        if ('errors' in read) return Object.keys(read.errors).length > 0;
        return signalWireSpec.validateRequest('POST', '/api/relay/rest/imported_phone_numbers', read.body).length === 0;
      }),
      { numRuns: 400 },
    );
  });

  it('/connect setup', () => {
    fc.assert(
      fc.property(stateFor(['integration', 'mode', 'context', 'subscriber']), (values) => {
        const read = readSetup(values as never, setupScope);
        if ('errors' in read) return Object.keys(read.errors).length > 0;
        const { context } = read.settings;
        return (
          context.tenant === tenant.id &&
          Object.keys(context).length <= 5 &&
          Object.entries(context).every(([type, id]) => /^[\w-]{1,100}$/.test(type) && /^[\w-]{1,100}$/.test(id))
        );
      }),
      { numRuns: 400 },
    );
  });
});

describe('fuzzed submissions through the app', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ vapi: true, signalwire: true });
    await harness.install();
  });
  afterAll(() => harness.stop());

  it('answer with field errors or a result, never a server error, and send no invalid body', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ subscriber: text, number: text, context: text, identifier: text, 'phone.integration': fc.constantFrom('twilio-sms', 'nope', '') }),
        async (values) => {
          // A form of its own each time: a result of an earlier submission may still be drawn into the one before.
          const view = await harness.openModal('/phone', 'register', 'phone.register', harness.actors.operator);
          const answer = await harness.slack.submitView(view, values, harness.actors.operator);
          expect(answer.status).toBe(200);
        },
      ),
      { numRuns: 40 },
    );
    expect(harness.novu.invalidRequests()).toEqual([]);
  });
});
