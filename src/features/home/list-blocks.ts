import type { Button, KnownBlock } from '@slack/types';
import { section } from '../../slack/blocks.js';
import { joinMd, type Mrkdwn, md } from '../../slack/mrkdwn.js';

/**
 * A list on the Home tab: the title, then each item's line with its button for those who may act
 * on it, else every line as a bullet in one section; `empty` when there is nothing. `note` closes the list's first section.
 */
export function homeList<T>(
  title: Mrkdwn,
  items: T[],
  line: (item: T) => Mrkdwn,
  options: { empty: Mrkdwn; note?: Mrkdwn | ''; button?: ((item: T, index: number) => Button) | false },
): KnownBlock[] {
  const { empty, note = '', button } = options;
  if (items.length === 0) return [section(md`${title}\n${empty}${note}`)];
  if (button) return [section(md`${title}${note}`), ...items.map((item, index) => section(line(item), { accessory: button(item, index) }))];
  const bullets = items.map((item) => md`• ${line(item)}`);
  return [section(md`${title}\n${joinMd(bullets, '\n')}${note}`)];
}
