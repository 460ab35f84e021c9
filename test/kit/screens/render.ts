import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createElement as h, type ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { type Block, Message } from 'slack-blocks-to-jsx';
import type { Directory } from './capture.js';
import type { Surface } from './driver.js';
import { slackLook, withoutRendererNotes } from './fidelity.js';
import { frameCss } from './frame-css.js';

/**
 * A surface as an HTML page that looks like Slack: Block Kit rendered by slack-blocks-to-jsx on
 * the server (react-dom/server), inside a frame for its kind: a channel or direct message, a
 * modal with its title, Close and Submit, or the App Home tab. Pages the app serves are shown as
 * they are. The frame is `#frame`, which is what a screenshot clips to.
 */
type Json = Record<string, any>;

const libraryCss = readFileSync(createRequire(import.meta.url).resolve('slack-blocks-to-jsx/dist/style.css'), 'utf8');

/** The app's icon: a plain square with an S, so the page needs nothing from the network. */
const logo = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 36 36"><rect width="36" height="36" rx="8" fill="#4a154b"/><text x="18" y="25" font-size="20" font-family="Arial" font-weight="bold" text-anchor="middle" fill="#fff">S</text></svg>',
)}`;

/** A fixed time for every message, so pictures change only when what they show changes. */
const postedAt = new Date(Date.UTC(2026, 0, 15, 9, 41));

const textOf = (object: unknown): string => (object && typeof object === 'object' ? String((object as Json).text ?? '') : '');

function blocksOf(blocks: Json[], directory: Directory, options: { wrapper: boolean; width: number }): ReactNode {
  return h(Message, {
    blocks: blocks as Block[],
    name: 'Switchboard',
    logo,
    time: postedAt,
    theme: 'light',
    withoutWrapper: !options.wrapper,
    style: { maxWidth: `${options.width}px` },
    data: { users: directory.users, channels: directory.channels },
  });
}

function channelName(channel: string, directory: Directory): string {
  if (channel.startsWith('D')) return 'Switchboard';
  return `# ${directory.channels.find((candidate) => candidate.id === channel)?.name ?? channel}`;
}

function messageFrame(surface: Extract<Surface, { kind: 'message' }>, blocks: Json[], directory: Directory): ReactNode {
  return h(
    'div',
    { id: 'frame', className: 'frame message-frame' },
    h('div', { className: 'bar' }, channelName(surface.channel, directory)),
    h('div', { className: 'pane' }, blocksOf(blocks, directory, { wrapper: true, width: 640 })),
    surface.ephemeral ? h('div', { className: 'ephemeral' }, 'Only visible to you') : null,
  );
}

function modalFrame(view: Json, blocks: Json[], directory: Directory): ReactNode {
  return h(
    'div',
    { id: 'frame', className: 'frame modal-frame' },
    h(
      'div',
      { className: 'modal-head' },
      h('img', { src: logo, alt: '' }),
      h('span', { className: 'modal-title' }, textOf(view.title)),
      h('span', { className: 'close-x' }, '×'),
    ),
    h('div', { className: 'modal-body' }, blocksOf(blocks, directory, { wrapper: false, width: 520 })),
    h(
      'div',
      { className: 'modal-foot' },
      h('button', { className: 'modal-close', type: 'button' }, textOf(view.close) || 'Cancel'),
      view.submit ? h('button', { className: 'modal-submit', type: 'button' }, textOf(view.submit)) : null,
    ),
  );
}

function homeFrame(blocks: Json[], directory: Directory): ReactNode {
  return h(
    'div',
    { id: 'frame', className: 'frame home-frame' },
    h(
      'div',
      { className: 'home-head' },
      h('img', { src: logo, alt: '' }),
      h('span', { className: 'home-name' }, 'Switchboard'),
      h(
        'span',
        { className: 'tabs' },
        h('span', { className: 'tab on' }, 'Home'),
        h('span', { className: 'tab' }, 'Messages'),
        h('span', { className: 'tab' }, 'About'),
      ),
    ),
    h('div', { className: 'home-body' }, blocksOf(blocks, directory, { wrapper: false, width: 840 })),
  );
}

/** The blocks a surface shows; a message with none shows its text, as Slack does. */
function shownBlocks(surface: Exclude<Surface, { kind: 'page' }>): Json[] {
  if (surface.kind !== 'message') return surface.view.blocks ?? [];
  return surface.blocks.length > 0 ? surface.blocks : [{ type: 'section', text: { type: 'mrkdwn', text: surface.text } }];
}

function frameOf(surface: Exclude<Surface, { kind: 'page' }>, blocks: Json[], directory: Directory): ReactNode {
  if (surface.kind === 'message') return messageFrame(surface, blocks, directory);
  if (surface.kind === 'modal') return modalFrame(surface.view, blocks, directory);
  return homeFrame(blocks, directory);
}

/** The page for a surface: a whole HTML document, framed as Slack frames it. */
export function surfacePage(surface: Surface, directory: Directory): string {
  if (surface.kind === 'page') return surface.html;
  const look = slackLook(shownBlocks(surface), directory);
  const body = withoutRendererNotes(renderToStaticMarkup(frameOf(surface, look.blocks, directory)));
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><style>${libraryCss}${frameCss}${look.css}</style></head><body>${body}</body></html>`;
}

/** How wide the browser window is for each kind of surface. */
export const viewportWidth: Record<Surface['kind'], number> = { message: 760, modal: 640, home: 940, page: 900 };
