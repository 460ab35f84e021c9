import { digest } from '../util/ids.js';
import { resolveOptionValue } from './blocks.js';

/** Modal state comes from Slack but is read as untrusted input: anything that is not a string is absent. */
export function textOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** One job per modal and set of submitted values: a double submit or Slack's retry finds the same job. */
export function submissionIntent(viewId: string, values: unknown): string {
  return `${viewId}:${digest([JSON.stringify(values)])}`;
}

export type StateValues = Record<string, Record<string, unknown> | undefined>;

/**
 * An input's state by its action_id, whatever block holds it: a form redrawn with new values gives
 * those inputs new block ids (Slack keeps what was typed under an old one), so readers go by action.
 */
export function inputState<T = Record<string, unknown>>(values: StateValues, actionId: string): T | undefined {
  for (const block of Object.values(values)) {
    const state = block?.[actionId];
    if (state && typeof state === 'object') return state as T;
  }
  return undefined;
}

/** The block that holds an action, for `response_action: errors` (keyed by block id). */
export function blockOf(values: StateValues, actionId: string): string {
  for (const [blockId, block] of Object.entries(values)) if (block && actionId in block) return blockId;
  return actionId;
}

/**
 * The state with every `~digest` option value (one too long for Slack, see `selectOption`)
 * replaced by the value it stands for, looked up among `candidates` of that action. A digest
 * nothing matches stays as it is, and the form's reader refuses it as unknown.
 */
export async function withResolvedOptions(values: StateValues, candidates: Record<string, () => Promise<Iterable<string>>>): Promise<StateValues> {
  const resolved: StateValues = structuredClone(values);
  for (const [actionId, load] of Object.entries(candidates)) {
    const state = inputState<{ selected_option?: { value?: unknown } }>(resolved, actionId);
    const value = textOf(state?.selected_option?.value);
    if (!state?.selected_option || !value?.startsWith('~')) continue;
    const match = resolveOptionValue(value, await load().catch(() => []));
    if (match) state.selected_option.value = match;
  }
  return resolved;
}
