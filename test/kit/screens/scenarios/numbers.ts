import type { EmulatedView } from '../../slack-emulator.js';
import { openVapiForm } from '../../vapi-form.js';
import { asModal, asPosted, type Driver, type Surface } from '../driver.js';
import type { Scenario } from '../scenario.js';

const done = (text: string) => !/Provisioning on|Importing|hourglass_flowing_sand/.test(text);

/** `/phone numbers` as an admin sees it, and where its buttons answer. */
async function numbersList(d: Driver, actor = d.cast.admin): Promise<{ surface: Surface; message: Record<string, any>; responseUrl: string }> {
  const { surface, responseUrl } = await d.answer('/phone', 'numbers', actor);
  if (surface.kind !== 'message') throw new Error('/phone numbers answered with no message');
  return { surface, message: { blocks: surface.blocks }, responseUrl };
}

/** The form a button of the first number in `/phone numbers` opens. */
async function opened(d: Driver, button: RegExp, callbackId: string, actor = d.cast.admin): Promise<Surface> {
  const list = await numbersList(d, actor);
  const action = JSON.stringify(list.message.blocks).match(button)?.[1];
  if (!action) throw new Error(`/phone numbers shows no ${button}`);
  const before = d.viewIds();
  await d.click({ message: list.message, responseUrl: list.responseUrl }, action, actor);
  return asModal(await d.openedSince(before, (view) => view.callback_id === callbackId));
}

/** Numbers on Vapi and SignalWire: made by operators, asked for by admins, given back. */
export const numberScenarios: Scenario[] = [
  {
    name: 'vapi-form',
    caption: '`/phone sip` for an operator: a free US number or a SIP URI on Vapi, answered by an assistant or a workflow.',
    main: true,
    run: async (d) => asModal(await d.modal('/phone', 'sip', 'numbers.sip', d.cast.operator)),
  },
  {
    name: 'vapi-done',
    caption: 'A free Vapi number is created, and Switchboard follows it until it is active.',
    run: async (d) => {
      const form = await openVapiForm(d.harness, d.cast.operator, { answeredBy: 'workflow' });
      return asModal(await d.submit(form, { name: 'Front desk', area_code: '415', workflow: 'wf-1' }, d.cast.operator, done));
    },
  },
  {
    name: 'signalwire-form',
    caption: '`/phone import +14155550123`: import a number owned elsewhere into SignalWire.',
    main: true,
    run: async (d) => asModal(await d.modal('/phone', 'import +14155550123', 'numbers.import', d.cast.operator)),
  },
  {
    name: 'signalwire-done',
    caption: 'The number is imported into SignalWire.',
    run: async (d) => {
      const form = await d.modal('/phone', 'import +14155550123', 'numbers.import', d.cast.operator);
      return asModal(await d.submit(form, {}, d.cast.operator, done));
    },
  },
  {
    name: 'request-form',
    caption: 'The same form for an admin who may only ask: it becomes a request to the operators.',
    run: async (d) => asModal(await d.modal('/phone', 'sip', 'numbers.sip', d.cast.admin)),
  },
  {
    name: 'request-sent',
    caption: 'The request is sent; the admin hears when an operator decides.',
    run: async (d) => {
      const form: EmulatedView = await openVapiForm(d.harness, d.cast.admin, { answeredBy: 'workflow' });
      const values = { name: 'Support line', area_code: '212', workflow: 'wf-1' };
      return asModal(await d.submit(form, values, d.cast.admin, (text) => text.includes('Request sent')));
    },
  },
  {
    name: 'request-approval',
    caption: 'Each operator gets the request in a direct message, with Approve and Deny.',
    main: true,
    run: async (d) => asPosted(await d.directMessage(d.cast.operator, (message) => JSON.stringify(message.blocks ?? []).includes('numbers.request.approve'))),
  },
  {
    name: 'phone-numbers',
    caption: '`/phone numbers`: the workspace’s numbers on Vapi and SignalWire, their status and endpoints, with Release.',
    main: true,
    run: async (d) => (await numbersList(d)).surface,
  },
  {
    name: 'change-form',
    caption: 'Change opens a form filled in from the number as the vendor has it now: who answers, the server, the fallback and hooks.',
    run: async (d) => opened(d, /"action_id":"(numbers\.change[^"]*)"/, 'numbers.change.form'),
  },
  {
    name: 'report-form',
    caption: 'Report calls and texts… (for operators): the channel of the owning workspace where the number’s calls and texts are posted.',
    run: async (d) => opened(d, /"action_id":"(numbers\.report\.open[^"]*)"/, 'numbers.report', d.cast.operator),
  },
  {
    name: 'release-confirm',
    caption: 'Release asks first, naming the number and the endpoints that go with it.',
    main: true,
    run: async (d) => {
      const list = await numbersList(d);
      const release = JSON.stringify(list.message.blocks).match(/"action_id":"(numbers\.release:[^"]+)"/)?.[1];
      if (!release) throw new Error('/phone numbers shows no Release button');
      const before = d.viewIds();
      await d.click({ message: list.message, responseUrl: list.responseUrl }, release, d.cast.admin);
      return asModal(await d.openedSince(before, (view) => view.callback_id === 'numbers.release.confirm'));
    },
  },
];
