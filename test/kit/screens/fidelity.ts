import type { Directory } from './capture.js';

/**
 * Where slack-blocks-to-jsx draws a form unlike Slack, the blocks are adjusted for the picture only
 * (the checks read the blocks as the app sent them): Slack writes "(optional)" after an optional
 * input's label, shows a select's initial choice rather than its placeholder, and draws a
 * single-line text input one line high; the renderer's "↵ Please 'enter' to submit" is not Slack's.
 */
type Json = Record<string, any>;

const plain = (text: string) => ({ type: 'plain_text', text });

/** What a select shows before anyone opens it: its initial choice, by name. */
function initialChoice(element: Json, directory: Directory): string | undefined {
  const nameOf = (list: { id: string; name: string }[], id: string) => list.find((entry) => entry.id === id)?.name ?? id;
  if (element.initial_option?.text?.text) return String(element.initial_option.text.text);
  if (element.initial_conversation) return `#${nameOf(directory.channels, String(element.initial_conversation))}`;
  if (element.initial_channel) return `#${nameOf(directory.channels, String(element.initial_channel))}`;
  if (element.initial_user) return `@${nameOf(directory.users, String(element.initial_user))}`;
  return undefined;
}

/** A CSS attribute selector for an id, whatever characters it has. */
const byId = (id: string) => `#slack_blocks_to_jsx [id="${id.replace(/["\\]/g, '\\$&')}"]`;

/** The blocks as the renderer should get them to look as Slack draws them, and the CSS that finishes the job. */
export function slackLook(blocks: Json[], directory: Directory): { blocks: Json[]; css: string } {
  const css: string[] = [];
  const adjusted = blocks.map((block) => {
    if (block.type !== 'input' || !block.element) return block;
    const element: Json = { ...block.element };
    const label = block.optional && block.label ? { ...block.label, text: `${block.label.text} (optional)` } : block.label;
    const chosen = initialChoice(element, directory);
    if (chosen) {
      element.placeholder = plain(chosen);
      css.push(`${byId(String(element.action_id))} > div:first-child { color: #1d1c1d; }`);
    }
    // The renderer writes "Write something" in an input with no placeholder; Slack leaves it blank.
    if (element.type === 'plain_text_input' && !element.placeholder) css.push(`${byId(String(element.action_id))} > div.absolute { display: none; }`);
    if (element.type === 'plain_text_input' && !element.multiline) {
      css.push(`${byId(String(element.action_id))} textarea { min-height: 36px !important; height: 36px !important; overflow: hidden; resize: none; }`);
    }
    return { ...block, label, element };
  });
  return { blocks: adjusted, css: css.join('\n') };
}

/** The rendered HTML without the renderer's own keyboard hint. */
export const withoutRendererNotes = (html: string): string => html.replaceAll('<p>↵ Please &#x27;enter&#x27; to submit</p>', '');
