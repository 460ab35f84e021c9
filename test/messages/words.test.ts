import { describe, expect, it } from 'vitest';
import { linkRunMessage } from '../../src/features/routes/link-messages.js';
import { truncate } from '../../src/slack/blocks.js';
import { plural } from '../../src/util/plural.js';

/** Counts agree with their words, and cut text ends at a word. */
describe('words', () => {
  it('a count takes the word that agrees with it, and large counts are grouped', () => {
    expect(plural(1, 'member')).toBe('1 member');
    expect(plural(0, 'member')).toBe('0 members');
    expect(plural(2, 'is', 'are')).toBe('2 are');
    expect(plural(1_234, 'row')).toBe('1,234 rows');
  });

  it('cut text ends at a word when one ends late enough, and never passes the limit', () => {
    const error = 'Novu answered 500 Internal Server Error while creating the channel endpoint for the subscriber';
    const cut = truncate(error, 40);
    expect(cut).toBe('Novu answered 500 Internal Server Error…');
    expect(cut.length).toBeLessThanOrEqual(40);
    expect(truncate('x'.repeat(100), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(truncate('short', 10)).toBe('short');
  });

  it('Link everyone speaks of one member as one', () => {
    const counts = { matched: 1, unmatched: 0, conflict: 0, 'already-linked': 1, linked: 0, failed: 0 };
    const planned = linkRunMessage({ id: 'run-1', status: 'planned', membersSeen: 2, error: null }, counts);
    const text = JSON.stringify(planned);
    expect(text).toContain('1 member will be linked');
    expect(text).toContain('1 is linked already');
    expect(text).toContain('Link 1 member"');
    expect(text).not.toMatch(/\b1 members\b|\b1 are\b/);
    const done = JSON.stringify(linkRunMessage({ id: 'run-1', status: 'done', membersSeen: 2, error: null }, { ...counts, matched: 0, linked: 1 }));
    expect(done).toContain('1 of 1 member linked');
  });
});
