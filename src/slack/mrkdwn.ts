/**
 * Text Slack reads as mrkdwn. A `Mrkdwn` value comes only from `md` and the constructors below:
 * whatever a person or a vendor typed reaches it escaped, so `<!channel>`, `<@U…>` or a disguised
 * link stays plain text. The block helpers take only `Mrkdwn` where Slack parses markup.
 */
const sealed = Symbol('mrkdwn');

declare const finished: unique symbol;
/** Mrkdwn as a string, for a message's `text`: only a `Mrkdwn` value gives one. */
export type MrkdwnText = string & { readonly [finished]: true };

export class Mrkdwn {
  readonly text: MrkdwnText;

  constructor(key: typeof sealed, text: string) {
    if (key !== sealed) throw new Error('Mrkdwn is made with md`…` and its constructors');
    this.text = text as MrkdwnText;
  }

  toString(): string {
    return this.text;
  }

  toJSON(): string {
    return this.text;
  }
}

const trusted = (text: string) => new Mrkdwn(sealed, text);

/** What `md` takes between `${}`: mrkdwn as it is; text and numbers escaped. */
export type MdValue = Mrkdwn | string | number;

/** Slack's three markup characters, as entities. */
function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const piece = (value: MdValue) => (value instanceof Mrkdwn ? value.text : escapeText(String(value)));

/**
 * The one way to write mrkdwn: md`Removed ${code(id)}: ${error}`. The template's own text is
 * markup; every value in it is escaped unless it is already `Mrkdwn`, so fragments compose.
 */
export function md(strings: TemplateStringsArray, ...values: MdValue[]): Mrkdwn {
  return trusted(strings.reduce((text, part, index) => text + piece(values[index - 1] as MdValue) + part));
}

/** Parts joined by a separator, each escaped unless already `Mrkdwn`. */
export function joinMd(parts: readonly MdValue[], separator: MdValue = ''): Mrkdwn {
  return trusted(parts.map(piece).join(piece(separator)));
}

/** Inline code that survives backticks in user input. */
export function code(text: string): Mrkdwn {
  return trusted(`\`${escapeText(text).replace(/`/g, 'ˋ')}\``);
}

/** A Slack user id (`U…`, `W…`), the only thing a user mention may carry. */
export const isUserId = (id: string): boolean => /^[UW][A-Z0-9]+$/.test(id);

/** A person, as Slack names them; anything that is not a user id is shown as code. */
export function mentionUser(id: string): Mrkdwn {
  return isUserId(id) ? trusted(`<@${id}>`) : code(id);
}

/** A channel, as Slack names it; anything that is not a channel id is shown as code. */
export function mentionChannel(id: string): Mrkdwn {
  return /^[CGD][A-Z0-9]+$/.test(id) ? trusted(`<#${id}>`) : code(id);
}

/** A link to an http(s) URL with an escaped label; any other URL leaves the label alone. */
export function link(url: string, label: string): Mrkdwn {
  if (!/^https?:\/\/[^\s]+$/i.test(url) || !URL.canParse(url)) return md`${label}`;
  return trusted(`<${escapeText(url).replace(/\|/g, '%7C')}|${escapeText(label)}>`);
}

/** A time that every reader sees in their own time zone (Slack's date formatting), ISO as the fallback. */
export function slackDate(epochMs: number): Mrkdwn {
  return trusted(`<!date^${Math.floor(epochMs / 1000)}^{date_short_pretty} {time}|${new Date(epochMs).toISOString()}>`);
}

/**
 * At most `max` characters, ending with `…` when cut. The cut never splits an entity or a
 * `<…>` token, so a cut mention or link is dropped rather than left open.
 */
export function cut(text: Mrkdwn, max: number): Mrkdwn {
  if (text.text.length <= max) return text;
  let head = text.text.slice(0, max - 1);
  if (head.lastIndexOf('<') > head.lastIndexOf('>')) head = head.slice(0, head.lastIndexOf('<'));
  head = head.replace(/&[a-z]{0,3}$/, '');
  return trusted(`${head}…`);
}

/** The same text without `*`, `_` and backticks, for a notification's plain fallback; tokens stay whole. */
export function withoutFormatting(text: Mrkdwn): Mrkdwn {
  return trusted(text.text.replace(/<[^>]*>|[`*_]/g, (match) => (match.length > 1 ? match : '')));
}
