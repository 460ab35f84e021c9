import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandCatalog } from '../../src/slack/commands/catalog.js';
import { parseCommandText, suggestSubcommand } from '../../src/slack/commands/router.js';
import { type Harness, startHarness } from '../kit/harness.js';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
  await harness.install();
});
afterAll(() => harness.stop());

const phone = commandCatalog.find((command) => command.name === 'phone');
const connect = commandCatalog.find((command) => command.name === 'connect');

describe('help from the command catalog', () => {
  it('/phone help lists every subcommand with its arguments and examples, ephemerally', async () => {
    const response = await harness.slack.command('/phone', 'help', harness.actors.member);
    expect(response.json?.response_type).toBe('ephemeral');
    // As Slack shows it: `<identifier>` is sent escaped, like every `<` in mrkdwn.
    const text = JSON.stringify(response.json?.blocks).replaceAll('&lt;', '<').replaceAll('&gt;', '>');
    for (const sub of phone?.subcommands ?? []) {
      expect(text).toContain(`/phone ${sub.name}${sub.args ? ` ${sub.args}` : ''}`);
      for (const example of sub.examples ?? []) expect(text).toContain(`/phone ${sub.name} ${example}`);
    }
  });

  it('says who may run each subcommand under the policy in force, and nothing for those everyone may run', async () => {
    const help = await harness.slack.command('/connect', 'help', harness.actors.member);
    const sections = ((help.json?.blocks ?? []) as { type: string; text?: { text: string } }[])
      .filter((block) => block.type === 'section')
      .map((b) => b.text?.text ?? '');
    const about = (sub: string) => sections.find((text) => text.startsWith(`\`/connect ${sub}`)) ?? '';
    expect(about('status')).not.toContain('_(');
    expect(about('setup')).toContain('_(workspace admins)_');
    const phoneHelp = await harness.slack.command('/phone', 'help', harness.actors.member);
    const phoneSections = JSON.stringify(phoneHelp.json?.blocks);
    expect(phoneSections).toContain('_(workspace admins)_');
  });

  it('/connect help lists its subcommands; /phone alone shows help', async () => {
    const help = await harness.slack.command('/connect', 'help', harness.actors.member);
    for (const sub of connect?.subcommands ?? []) expect(JSON.stringify(help.json)).toContain(`/connect ${sub.name}`);
    const bare = await harness.slack.command('/phone', '', harness.actors.member);
    expect(bare.json?.text).toContain('/phone register');
  });

  it('an unknown subcommand gets help and the closest match', async () => {
    const response = await harness.slack.command('/phone', 'regster +14155550100', harness.actors.member);
    expect(response.json?.response_type).toBe('ephemeral');
    expect(response.json?.text).toContain("I don't know /phone regster. Did you mean register?");
    expect(JSON.stringify(response.json?.blocks)).toContain('/phone list');
  });

  it('passes Block Kit checks', async () => {
    await harness.slack.command('/phone', 'help', harness.actors.member);
    expect(harness.emulator.problems).toEqual([]);
  });
});

describe('parsing', () => {
  it('splits the subcommand from its arguments and straightens quotes', () => {
    expect(parseCommandText('  register   (415) 555-0100  sub-1 ')).toEqual({
      name: 'register',
      args: ['(415)', '555-0100', 'sub-1'],
      argText: '(415) 555-0100  sub-1',
    });
    expect(parseCommandText('remove “abc”')).toEqual({ name: 'remove', args: ['"abc"'], argText: '"abc"' });
    expect(parseCommandText('')).toEqual({ name: '', args: [], argText: '' });
  });

  it('suggests only near misses', () => {
    if (!phone) throw new Error('no /phone');
    expect(suggestSubcommand(phone, 'lst')).toBe('list');
    expect(suggestSubcommand(phone, 'imprt')).toBe('import');
    expect(suggestSubcommand(phone, 'reg')).toBe('register');
    expect(suggestSubcommand(phone, 'zebra')).toBeUndefined();
  });
});
