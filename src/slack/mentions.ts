/**
 * Reading what follows a command that Slack escapes (`should_escape`): channels come as
 * `<#C123|name>`, people as `<@U123|name>`, and `&`, `<`, `>` as entities.
 */
const channelMention = /^<#([CG][A-Z0-9]{2,})(?:\|[^>]*)?>$/;
const userMention = /^<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>$/;

/** The words of an escaped command line, split into mentions (by kind) and the rest (unescaped). */
export function splitMentions(words: readonly string[]): { channelId?: string; userId?: string; rest: string[] } {
  let channelId: string | undefined;
  let userId: string | undefined;
  const rest: string[] = [];
  for (const word of words) {
    const channel = channelMention.exec(word)?.[1];
    const user = userMention.exec(word)?.[1];
    if (channel && !channelId) channelId = channel;
    else if (user && !userId) userId = user;
    else rest.push(word.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
  }
  return { channelId, userId, rest };
}
