/**
 * Reading what follows a command that Slack escapes (`should_escape`): channels come as
 * `<#C123|name>`, people as `<@U123|name>`, and `&`, `<`, `>` as entities.
 */
const channelMention = /^<#([CG][A-Z0-9]{2,})(?:\|[^>]*)?>$/;
const userMention = /^<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>$/;
const bareChannel = /^[CG][A-Z0-9]{8,}$/;
const bareUser = /^[UW][A-Z0-9]{8,}$/;

export function channelIdIn(word: string | undefined): string | undefined {
  if (!word) return undefined;
  return channelMention.exec(word)?.[1] ?? (bareChannel.test(word) ? word : undefined);
}

export function userIdIn(word: string | undefined): string | undefined {
  if (!word) return undefined;
  return userMention.exec(word)?.[1] ?? (bareUser.test(word) ? word : undefined);
}

/** Plain text back from Slack's escaping. */
export function unescapeSlackText(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The words of an escaped command line, split into mentions (by kind) and the rest (unescaped). */
export function splitMentions(words: readonly string[]): { channelId?: string; userId?: string; rest: string[] } {
  let channelId: string | undefined;
  let userId: string | undefined;
  const rest: string[] = [];
  for (const word of words) {
    const channel = channelMention.test(word) ? channelIdIn(word) : undefined;
    const user = userMention.test(word) ? userIdIn(word) : undefined;
    if (channel && !channelId) channelId = channel;
    else if (user && !userId) userId = user;
    else rest.push(unescapeSlackText(word));
  }
  return { channelId, userId, rest };
}
