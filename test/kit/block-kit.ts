/**
 * Block Kit limits the Slack emulator enforces (docs.slack.dev: modal views, blocks, elements).
 * Each problem is a readable string; an empty list means Slack would accept the payload.
 */
type Json = Record<string, any>;

const max = (problems: string[], where: string, value: unknown, limit: number) => {
  if (typeof value === 'string' && value.length > limit) problems.push(`${where} is ${value.length} chars (max ${limit})`);
};

function textOf(object: unknown): string | undefined {
  return object && typeof object === 'object' ? (object as Json).text : undefined;
}

export function checkView(view: Json): string[] {
  const problems: string[] = [];
  if (!view || typeof view !== 'object') return ['view is missing'];
  if (view.type !== 'modal' && view.type !== 'home') problems.push(`view.type ${view.type} is not modal or home`);
  const blocks: Json[] = Array.isArray(view.blocks) ? view.blocks : [];
  if (!Array.isArray(view.blocks)) problems.push('view.blocks is missing');
  if (blocks.length > 100) problems.push(`view has ${blocks.length} blocks (max 100)`);
  if (view.type === 'modal') {
    if (!view.title) problems.push('modal has no title');
    for (const key of ['title', 'submit', 'close'] as const) {
      const object = view[key];
      if (object === undefined) continue;
      if (object?.type !== 'plain_text') problems.push(`modal ${key} must be plain_text`);
      max(problems, `modal ${key}`, textOf(object), 24);
    }
    if (blocks.some((block) => block.type === 'input') && !view.submit) problems.push('modal has input blocks but no submit button');
  }
  max(problems, 'private_metadata', view.private_metadata, 3000);
  max(problems, 'callback_id', view.callback_id, 255);
  max(problems, 'external_id', view.external_id, 255);
  problems.push(...checkBlocks(blocks, 'view'));
  return problems;
}

export function checkMessage(message: Json): string[] {
  const problems: string[] = [];
  const blocks = message.blocks;
  if (blocks !== undefined) {
    if (!Array.isArray(blocks)) problems.push('message blocks must be an array');
    else {
      if (blocks.length > 50) problems.push(`message has ${blocks.length} blocks (max 50)`);
      problems.push(...checkBlocks(blocks, 'message'));
    }
  }
  if (!message.text && !blocks) problems.push('message has neither text nor blocks');
  max(problems, 'message text', message.text, 40000);
  return problems;
}

function checkBlocks(blocks: Json[], surface: string): string[] {
  const problems: string[] = [];
  const blockIds = new Set<string>();
  const actionIds = new Set<string>();
  blocks.forEach((block, index) => {
    const where = `${surface} block ${index} (${block.type})`;
    if (block.block_id !== undefined) {
      max(problems, `${where} block_id`, block.block_id, 255);
      if (blockIds.has(block.block_id)) problems.push(`${where} repeats block_id ${block.block_id}`);
      blockIds.add(block.block_id);
    }
    const elements: Json[] = [];
    switch (block.type) {
      case 'section':
        if (!block.text && !block.fields) problems.push(`${where} needs text or fields`);
        max(problems, `${where} text`, textOf(block.text), 3000);
        if (Array.isArray(block.fields)) {
          if (block.fields.length > 10) problems.push(`${where} has ${block.fields.length} fields (max 10)`);
          for (const [i, field] of (block.fields as Json[]).entries()) max(problems, `${where} field ${i}`, textOf(field), 2000);
        }
        if (block.accessory) elements.push(block.accessory);
        break;
      case 'header':
        if (block.text?.type !== 'plain_text') problems.push(`${where} text must be plain_text`);
        max(problems, `${where} text`, textOf(block.text), 150);
        break;
      case 'context':
        if (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > 10) problems.push(`${where} needs 1–10 elements`);
        break;
      case 'actions':
        if (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > 25) problems.push(`${where} needs 1–25 elements`);
        elements.push(...(block.elements ?? []));
        break;
      case 'input':
        if (!block.label) problems.push(`${where} has no label`);
        max(problems, `${where} label`, textOf(block.label), 2000);
        max(problems, `${where} hint`, textOf(block.hint), 2000);
        if (!block.element) problems.push(`${where} has no element`);
        else elements.push(block.element);
        break;
      case 'divider':
      case 'image':
      case 'rich_text':
        break;
      default:
        problems.push(`${where} is not a known block type`);
    }
    for (const element of elements) problems.push(...checkElement(element, where, actionIds));
  });
  return problems;
}

function checkElement(element: Json, where: string, actionIds: Set<string>): string[] {
  const problems: string[] = [];
  const at = `${where} ${element.type}`;
  if (element.action_id !== undefined) {
    max(problems, `${at} action_id`, element.action_id, 255);
    if (actionIds.has(element.action_id)) problems.push(`${at} repeats action_id ${element.action_id}`);
    actionIds.add(element.action_id);
  }
  max(problems, `${at} placeholder`, textOf(element.placeholder), 150);
  switch (element.type) {
    case 'button':
      max(problems, `${at} text`, textOf(element.text), 75);
      max(problems, `${at} value`, element.value, 2000);
      max(problems, `${at} url`, element.url, 3000);
      break;
    case 'plain_text_input':
    case 'url_text_input':
    case 'email_text_input':
    case 'number_input': {
      const { max_length: maxLength, min_length: minLength } = element;
      if (maxLength !== undefined && (maxLength < 1 || maxLength > 3000)) problems.push(`${at} max_length ${maxLength} is outside 1–3000`);
      if (minLength !== undefined && (minLength < 0 || minLength > 3000)) problems.push(`${at} min_length ${minLength} is outside 0–3000`);
      if (typeof element.initial_value === 'string' && maxLength !== undefined && element.initial_value.length > maxLength) {
        problems.push(`${at} initial_value is longer than max_length`);
      }
      break;
    }
    case 'static_select':
    case 'radio_buttons':
    case 'checkboxes': {
      const options: Json[] = element.options ?? [];
      const limit = element.type === 'static_select' ? 100 : 10;
      if (options.length === 0 && !element.option_groups) problems.push(`${at} has no options`);
      if (options.length > limit) problems.push(`${at} has ${options.length} options (max ${limit})`);
      for (const [i, option] of options.entries()) problems.push(...checkOption(option, `${at} option ${i}`));
      break;
    }
    case 'external_select':
    case 'users_select':
    case 'conversations_select':
    case 'channels_select':
    case 'datepicker':
    case 'overflow':
      break;
    default:
      problems.push(`${at} is not a known element type`);
  }
  return problems;
}

export function checkOption(option: Json, where: string): string[] {
  const problems: string[] = [];
  if (!option?.text || option.value === undefined) problems.push(`${where} needs text and value`);
  max(problems, `${where} text`, textOf(option?.text), 75);
  max(problems, `${where} value`, option?.value, 150);
  max(problems, `${where} description`, textOf(option?.description), 75);
  return problems;
}
