import { describe, expect, it } from 'vitest';
import { code, cut, joinMd, link, Mrkdwn, md, mentionChannel, mentionUser, slackDate, withoutFormatting } from '../../src/slack/mrkdwn.js';

describe('md', () => {
  it('escapes what it is given and keeps its own markup', () => {
    expect(md`*Name:* ${'<!channel> & co'}`.text).toBe('*Name:* &lt;!channel&gt; &amp; co');
    expect(md`${'&amp;'}`.text).toBe('&amp;amp;');
    expect(md`${42} rows`.text).toBe('42 rows');
  });

  it('keeps fragments as they are, so they compose', () => {
    const id = code('a`b<c>');
    expect(id.text).toBe('`aˋb&lt;c&gt;`');
    expect(md`Removed ${id}: ${'<@U1>'}`.text).toBe('Removed `aˋb&lt;c&gt;`: &lt;@U1&gt;');
    expect(joinMd([md`*a*`, '<b>'], ' · ').text).toBe('*a* · &lt;b&gt;');
  });

  it('cannot be made from a string by hand', () => {
    expect(() => new Mrkdwn(Symbol('mrkdwn') as never, '<!here>')).toThrow();
  });
});

describe('raw forms', () => {
  it('mentions only valid ids; anything else is shown as code', () => {
    expect(mentionUser('U0ALICE').text).toBe('<@U0ALICE>');
    expect(mentionUser('U1><!channel').text).toBe('`U1&gt;&lt;!channel`');
    expect(mentionChannel('C0OPS').text).toBe('<#C0OPS>');
    expect(mentionChannel('C1|x').text).toBe('`C1|x`');
  });

  it('links http(s) URLs with an escaped label; other URLs leave the label', () => {
    expect(link('https://dashboard.vapi.ai/phone-numbers/v1', 'Open <here>').text).toBe('<https://dashboard.vapi.ai/phone-numbers/v1|Open &lt;here&gt;>');
    expect(link('https://x.example/a?b=1&c=|2', 'x').text).toBe('<https://x.example/a?b=1&amp;c=%7C2|x>');
    expect(link('javascript:alert(1)', 'Approve').text).toBe('Approve');
  });

  it('a date token every reader sees in their own time zone', () => {
    expect(slackDate(1_700_000_000_000).text).toBe('<!date^1700000000^{date_short_pretty} {time}|2023-11-14T22:13:20.000Z>');
  });
});

describe('cut', () => {
  it('never leaves half an entity or an open token', () => {
    expect(cut(md`ab${'<'}`, 4).text).toBe('ab…');
    expect(cut(md`ab ${mentionUser('U0ALICE')} end`, 8).text).toBe('ab …');
    expect(cut(md`short`, 10).text).toBe('short');
  });
});

it('withoutFormatting drops markup characters but keeps tokens whole', () => {
  expect(withoutFormatting(md`*Hi* \`x\` ${slackDate(0)}`).text).toBe('Hi x <!date^0^{date_short_pretty} {time}|1970-01-01T00:00:00.000Z>');
});
