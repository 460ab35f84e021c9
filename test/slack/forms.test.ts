import { afterEach, describe, expect, it } from 'vitest';
import { eventually, type Harness, startHarness } from '../kit/harness.js';

/**
 * Forms against Slack's limits with the values vendors really hold: an option's text is cut to
 * 75 characters and a value over 150 stands in for the whole one, which comes back on submit.
 * The sender refuses any option list, and the emulator any view, that Slack would refuse.
 */
let h: Harness;
afterEach(async () => {
  await h?.stop();
});

const longIdentifier = `sms-${'long-integration-identifier-'.repeat(6)}end`;
const longName = `Twilio SMS for the ${'very '.repeat(20)}long team name`;

describe('a Novu integration with a 170-character identifier and a 120-character name', () => {
  it('is offered within Slack’s limits, registered under its full identifier, and kept when the form comes back with a problem', async () => {
    h = await startHarness();
    h.novu.integrations.push({ identifier: longIdentifier, name: longName, providerId: 'twilio', channel: 'sms', active: true });
    expect(longIdentifier.length).toBeGreaterThan(150);
    await h.install();

    const view = await h.openModal('/phone', 'register +14155550100 nobody-yet', 'phone.register');
    const answer = await h.slack.suggest(view, 'phone.integration', 'long', h.actors.admin);
    const options = (answer.json?.options ?? []) as { text: { text: string }; value: string }[];
    const offered = options.find((option) => option.text.text.startsWith('Twilio SMS for the'));
    if (!offered) throw new Error(`not offered: ${JSON.stringify(answer.json)}`);
    expect(offered.text.text.length).toBeLessThanOrEqual(75);
    expect(offered.value.length).toBeLessThanOrEqual(150);

    // Novu refuses the unknown subscriber: the form comes back with the long choice still selected.
    const first = await h.slack.submitView(view, { 'phone.integration': offered }, h.actors.admin);
    expect(first.json?.response_action).toBe('update');
    const redrawn = await eventually(() => {
      const current = h.emulator.views.get(view.id);
      return current && JSON.stringify(current).includes('in this workspace. Create it in Novu first') ? current : undefined;
    });
    expect(h.novu.requestsTo('POST', '/v1/channel-endpoints').at(-1)?.body).toMatchObject({ integrationIdentifier: longIdentifier });

    const second = await h.slack.submitView(redrawn, { subscriber: 'sub-1' }, h.actors.admin);
    expect(second.json?.response_action).toBe('update');
    await eventually(() => JSON.stringify(h.emulator.views.get(view.id)).includes('Registered'), { message: 'the registration' });
    expect(h.novu.requestsTo('POST', '/v1/channel-endpoints').at(-1)?.body).toMatchObject({ integrationIdentifier: longIdentifier, subscriberId: 'sub-1' });
  });

  it('a stand-in value that matches nothing (an integration since removed) is refused under the field', async () => {
    h = await startHarness();
    await h.install();
    const view = await h.openModal('/phone', 'register +14155550100 sub-1', 'phone.register');
    const posts = h.novu.requestsTo('POST', '/v1/channel-endpoints').length;
    const stale = { text: { type: 'plain_text', text: 'Gone' }, value: `~${'f'.repeat(32)}` };
    const refused = await h.slack.submitView(view, { 'phone.integration': stale }, h.actors.admin);
    expect(refused.json?.response_action).toBe('errors');
    expect(Object.keys(refused.json?.errors ?? {})).toEqual(['integration']);
    expect(h.novu.requestsTo('POST', '/v1/channel-endpoints')).toHaveLength(posts);
  });
});
