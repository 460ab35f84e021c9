/**
 * Block Kit limits the Slack emulator enforces, from Slack's reference (docs.slack.dev: modal
 * views, blocks, block elements, composition objects — text, option, option group, confirmation
 * dialog — and the block_suggestion and view_submission responses). Each problem is a readable
 * string; an empty list means Slack would accept the payload.
 */
type Json = Record<string, any>;

const max = (problems: string[], where: string, value: unknown, limit: number) => {
  if (typeof value === 'string' && value.length > limit) problems.push(`${where} is ${value.length} chars (max ${limit})`);
};

function textOf(object: unknown): string | undefined {
  return object && typeof object === 'object' ? (object as Json).text : undefined;
}

/** A text object where Slack takes only `plain_text`, non-empty and within its limit. */
function plainText(problems: string[], where: string, object: unknown, limit: number, { required = true } = {}): void {
  if (object === undefined || object === null) {
    if (required) problems.push(`${where} is missing`);
    return;
  }
  const text = object as Json;
  if (text.type !== 'plain_text') problems.push(`${where} must be plain_text (is ${text.type})`);
  if (typeof text.text !== 'string' || text.text.length === 0) problems.push(`${where} is empty`);
  max(problems, where, text.text, limit);
}

/** A text object that may be mrkdwn or plain_text. */
function anyText(problems: string[], where: string, object: unknown, limit: number): void {
  const text = object as Json | undefined;
  if (!text) return;
  if (text.type !== 'plain_text' && text.type !== 'mrkdwn') problems.push(`${where} has text type ${text.type}`);
  if (typeof text.text !== 'string' || text.text.length === 0) problems.push(`${where} is empty`);
  max(problems, where, text.text, limit);
}

export function checkView(view: Json): string[] {
  const problems: string[] = [];
  if (!view || typeof view !== 'object') return ['view is missing'];
  if (view.type !== 'modal' && view.type !== 'home') problems.push(`view.type ${view.type} is not modal or home`);
  const blocks: Json[] = Array.isArray(view.blocks) ? view.blocks : [];
  if (!Array.isArray(view.blocks)) problems.push('view.blocks is missing');
  if (blocks.length > 100) problems.push(`view has ${blocks.length} blocks (max 100)`);
  if (view.type === 'modal') {
    plainText(problems, 'modal title', view.title, 24);
    plainText(problems, 'modal submit', view.submit, 24, { required: false });
    plainText(problems, 'modal close', view.close, 24, { required: false });
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

/** An answer to `block_suggestion`: up to 100 options, or up to 100 option groups of up to 100 options. */
export function checkOptionsResponse(response: Json | undefined): string[] {
  const problems: string[] = [];
  if (!response || (!Array.isArray(response.options) && !Array.isArray(response.option_groups))) return ['the answer has neither options nor option_groups'];
  if (Array.isArray(response.options)) {
    if (response.options.length > 100) problems.push(`${response.options.length} options (max 100)`);
    response.options.forEach((option: Json, index: number) => {
      problems.push(...checkOption(option, `option ${index}`, { plainOnly: true }));
    });
  }
  if (Array.isArray(response.option_groups)) problems.push(...checkOptionGroups(response.option_groups, 'answer'));
  return problems;
}

/** A `response_action: errors` acknowledgement: keys must be input block ids of the submitted view, messages non-empty. */
export function checkSubmissionErrors(view: Json, errors: Json): string[] {
  const inputIds = new Set((view.blocks ?? []).filter((block: Json) => block.type === 'input').map((block: Json) => block.block_id));
  const problems: string[] = [];
  for (const [blockId, message] of Object.entries(errors ?? {})) {
    if (!inputIds.has(blockId)) problems.push(`errors names ${blockId}, which is not an input block of the view`);
    if (typeof message !== 'string' || message.length === 0) problems.push(`the error for ${blockId} is empty`);
  }
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
        anyText(problems, `${where} text`, block.text, 3000);
        if (Array.isArray(block.fields)) {
          if (block.fields.length > 10) problems.push(`${where} has ${block.fields.length} fields (max 10)`);
          for (const [i, field] of (block.fields as Json[]).entries()) anyText(problems, `${where} field ${i}`, field, 2000);
        }
        if (block.accessory) elements.push(block.accessory);
        break;
      case 'header':
        plainText(problems, `${where} text`, block.text, 150);
        break;
      case 'context':
        if (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > 10) problems.push(`${where} needs 1–10 elements`);
        for (const [i, element] of (block.elements ?? []).entries()) if (element.type !== 'image') anyText(problems, `${where} element ${i}`, element, 3000);
        break;
      case 'actions':
        if (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > 25) problems.push(`${where} needs 1–25 elements`);
        elements.push(...(block.elements ?? []));
        break;
      case 'input':
        plainText(problems, `${where} label`, block.label, 2000);
        plainText(problems, `${where} hint`, block.hint, 2000, { required: false });
        if (!block.element) problems.push(`${where} has no element`);
        else elements.push(block.element);
        if (block.element?.type === 'file_input' && block.dispatch_action) problems.push(`${where}: dispatch_action is not allowed with file_input`);
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
  plainText(problems, `${at} placeholder`, element.placeholder, 150, { required: false });
  if (element.confirm) problems.push(...checkConfirm(element.confirm, `${at} confirm`));
  switch (element.type) {
    case 'button':
      plainText(problems, `${at} text`, element.text, 75);
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
      const plainOnly = element.type === 'static_select';
      if (options.length === 0 && !element.option_groups) problems.push(`${at} has no options`);
      if (options.length > limit) problems.push(`${at} has ${options.length} options (max ${limit})`);
      for (const [i, option] of options.entries()) problems.push(...checkOption(option, `${at} option ${i}`, { plainOnly }));
      if (element.option_groups) problems.push(...checkOptionGroups(element.option_groups, at));
      const all = [...options, ...(element.option_groups ?? []).flatMap((group: Json) => group.options ?? [])];
      const chosen: Json[] = [...(element.initial_option ? [element.initial_option] : []), ...(element.initial_options ?? [])];
      for (const initial of chosen) {
        if (!all.some((option) => option.value === initial.value && textOf(option.text) === textOf(initial.text))) {
          problems.push(`${at} initial option ${initial.value} is not one of its options`);
        }
      }
      break;
    }
    case 'external_select':
      if (element.initial_option) problems.push(...checkOption(element.initial_option, `${at} initial_option`, { plainOnly: true }));
      if (element.min_query_length !== undefined && element.min_query_length < 0) problems.push(`${at} min_query_length is negative`);
      break;
    case 'file_input':
      // docs.slack.dev file-input-element: inside an input block only; filetypes are extensions; max_files 1–10.
      if (!where.includes('(input)')) problems.push(`${at} must be in an input block`);
      if (element.filetypes !== undefined && (!Array.isArray(element.filetypes) || element.filetypes.some((type: unknown) => typeof type !== 'string'))) {
        problems.push(`${at} filetypes must be an array of file extensions`);
      }
      if (element.max_files !== undefined && (!Number.isInteger(element.max_files) || element.max_files < 1 || element.max_files > 10)) {
        problems.push(`${at} max_files ${element.max_files} is outside 1–10`);
      }
      break;
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

/** Option object: text (plain_text only in selects) ≤ 75, value ≤ 150, description ≤ 75. */
export function checkOption(option: Json, where: string, { plainOnly = false } = {}): string[] {
  const problems: string[] = [];
  if (!option?.text || option.value === undefined) problems.push(`${where} needs text and value`);
  if (plainOnly) plainText(problems, `${where} text`, option?.text, 75);
  else anyText(problems, `${where} text`, option?.text, 75);
  if (typeof option?.value !== 'string' || option.value.length === 0) problems.push(`${where} value must be a non-empty string`);
  max(problems, `${where} value`, option?.value, 150);
  if (option?.description) anyText(problems, `${where} description`, option.description, 75);
  return problems;
}

function checkOptionGroups(groups: Json[], where: string): string[] {
  const problems: string[] = [];
  if (groups.length > 100) problems.push(`${where} has ${groups.length} option groups (max 100)`);
  groups.forEach((group, index) => {
    plainText(problems, `${where} group ${index} label`, group.label, 75);
    const options: Json[] = group.options ?? [];
    if (options.length === 0 || options.length > 100) problems.push(`${where} group ${index} needs 1–100 options`);
    options.forEach((option, i) => {
      problems.push(...checkOption(option, `${where} group ${index} option ${i}`, { plainOnly: true }));
    });
  });
  return problems;
}

/** Confirmation dialog: plain_text title ≤ 100, text ≤ 300, confirm ≤ 30, deny ≤ 30. */
function checkConfirm(confirm: Json, where: string): string[] {
  const problems: string[] = [];
  plainText(problems, `${where} title`, confirm.title, 100);
  anyText(problems, `${where} text`, confirm.text, 300);
  if (!confirm.text) problems.push(`${where} text is missing`);
  plainText(problems, `${where} confirm`, confirm.confirm, 30);
  plainText(problems, `${where} deny`, confirm.deny, 30);
  if (confirm.style !== undefined && confirm.style !== 'primary' && confirm.style !== 'danger') problems.push(`${where} style ${confirm.style}`);
  return problems;
}
