import { digest } from '../util/ids.js';

/** Modal state comes from Slack but is read as untrusted input: anything that is not a string is absent. */
export function textOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** One job per modal and set of submitted values: a double submit or Slack's retry finds the same job. */
export function submissionIntent(viewId: string, values: unknown): string {
  return `${viewId}:${digest([JSON.stringify(values)])}`;
}
