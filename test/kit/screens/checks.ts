import { checkMessage, checkView } from '../block-kit.js';
import type { Surface } from './driver.js';

/**
 * What a person would find wrong in a surface before any rendering: anything Slack would refuse
 * (its Block Kit limits, repeated block and action ids), a section or line with nothing in it,
 * and text cut inside a word.
 */
type Json = Record<string, any>;

/** A piece of text in a surface, where it is, and the most Slack takes there. */
interface Placed {
  where: string;
  text: string;
  limit: number;
}

const isText = (value: unknown): value is Json => Boolean(value) && typeof value === 'object' && typeof (value as Json).text === 'string';

function place(found: Placed[], where: string, value: unknown, limit: number): void {
  if (isText(value)) found.push({ where, text: value.text, limit });
}

function elementTexts(found: Placed[], where: string, element: Json): void {
  place(found, `${where} ${element.type} text`, element.text, 75);
  place(found, `${where} ${element.type} placeholder`, element.placeholder, 150);
  for (const option of [...(element.options ?? []), ...(element.initial_option ? [element.initial_option] : [])] as Json[]) {
    place(found, `${where} option`, option.text, 75);
    place(found, `${where} option description`, option.description, 75);
  }
  const confirm = element.confirm as Json | undefined;
  if (confirm) {
    place(found, `${where} confirm title`, confirm.title, 100);
    place(found, `${where} confirm text`, confirm.text, 300);
    place(found, `${where} confirm button`, confirm.confirm, 30);
  }
}

/** Every text of the blocks, with its limit (Slack's reference for each field). */
export function blockTexts(blocks: Json[]): Placed[] {
  const found: Placed[] = [];
  blocks.forEach((block, index) => {
    const where = `block ${index} (${block.type})`;
    place(found, `${where} text`, block.text, block.type === 'header' ? 150 : 3000);
    for (const [i, field] of ((block.fields ?? []) as Json[]).entries()) place(found, `${where} field ${i}`, field, 2000);
    if (block.type === 'context') for (const [i, element] of ((block.elements ?? []) as Json[]).entries()) place(found, `${where} element ${i}`, element, 3000);
    place(found, `${where} label`, block.label, 2000);
    place(found, `${where} hint`, block.hint, 2000);
    const elements: Json[] = [
      ...(block.type === 'actions' ? (block.elements ?? []) : []),
      ...(block.accessory ? [block.accessory] : []),
      ...(block.element ? [block.element] : []),
    ];
    for (const element of elements) elementTexts(found, where, element);
  });
  return found;
}

function surfaceTexts(surface: Surface): Placed[] {
  if (surface.kind === 'page') return [];
  if (surface.kind === 'message') return [{ where: 'message text', text: surface.text, limit: 40000 }, ...blockTexts(surface.blocks)];
  const { view } = surface;
  const chrome: Placed[] = [];
  for (const key of ['title', 'submit', 'close']) place(chrome, `modal ${key}`, view[key], 24);
  return [...chrome, ...blockTexts(view.blocks ?? [])];
}

/** Slack's own checks, as the emulator makes them. */
function slackLimits(surface: Surface): string[] {
  if (surface.kind === 'page') return [];
  if (surface.kind === 'message') return checkMessage({ text: surface.text, blocks: surface.blocks });
  return checkView(surface.view);
}

/** Sections, fields, lines and headers with nothing to read; a surface with nothing at all. */
function emptyParts(surface: Surface): string[] {
  if (surface.kind === 'page') return surface.html.trim() ? [] : ['the page is empty'];
  const blocks: Json[] = surface.kind === 'message' ? surface.blocks : (surface.view.blocks ?? []);
  const problems: string[] = [];
  if (blocks.length === 0 && !(surface.kind === 'message' && surface.text.trim())) problems.push('the surface has nothing in it');
  const blank = (value: unknown) => isText(value) && value.text.trim() === '';
  blocks.forEach((block, index) => {
    const where = `block ${index} (${block.type})`;
    const fields: Json[] = block.fields ?? [];
    if (block.type === 'section' && (!block.text || blank(block.text)) && fields.every(blank)) problems.push(`${where} is an empty section`);
    else if (blank(block.text)) problems.push(`${where} has empty text`);
    for (const [i, field] of fields.entries()) if (blank(field)) problems.push(`${where} field ${i} is empty`);
    if (block.type === 'context')
      for (const [i, element] of ((block.elements ?? []) as Json[]).entries()) if (blank(element)) problems.push(`${where} element ${i} is empty`);
  });
  return problems;
}

const wordCharacter = /[\p{L}\p{N}]/u;

/**
 * Text cut inside a word: one at its Slack limit that ends in a letter and "…" (a cut at a word's
 * end, as `truncate` makes, leaves room), or one that shows a fed text up to the middle of a word.
 */
function cutWords(texts: Placed[], fed: readonly string[]): string[] {
  const problems: string[] = [];
  for (const { where, text, limit } of texts) {
    if (text.length >= limit - 1 && /[\p{L}\p{N}]…$/u.test(text))
      problems.push(`${where} is cut inside a word at Slack's ${limit}-character limit: "…${text.slice(-30)}"`);
    for (const whole of fed) {
      const at = text.indexOf(whole.slice(0, 24));
      if (at < 0) continue;
      let shown = 0;
      while (shown < whole.length && text[at + shown] === whole[shown]) shown += 1;
      const insideWord = shown < whole.length && wordCharacter.test(whole[shown - 1] ?? '') && wordCharacter.test(whole[shown] ?? '');
      if (insideWord) problems.push(`${where} cuts "${whole.slice(shown - 20, shown)}|${whole.slice(shown, shown + 10)}" inside a word`);
    }
  }
  return problems;
}

/** Everything wrong with a surface that needs no browser to see; an empty list when nothing is. */
export function surfaceProblems(surface: Surface, fed: readonly string[] = []): string[] {
  return [...slackLimits(surface), ...emptyParts(surface), ...cutWords(surfaceTexts(surface), fed)];
}
