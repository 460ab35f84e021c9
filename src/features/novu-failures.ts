import { explainNovuError, type NovuExplanation } from '../backends/novu/explain.js';
import { BackendError } from '../http/errors.js';
import { TerminalJobError } from '../jobs/queue.js';
import { failureText } from './failure-text.js';

/** "What happened. What to do." then Novu's own words behind them — the words kept with a failed job and shown to people. */
export function describeNovuFailure(error: unknown): string {
  return error instanceof TerminalJobError ? error.message : explanationText(explainNovuError(error));
}

export function explanationText(explanation: NovuExplanation): string {
  return failureText(explanation.hint ? `${explanation.reason}. ${explanation.hint}` : `${explanation.reason}.`, explanation.said);
}

/**
 * Turns a Novu failure into what the job queue understands: terminal answers stop the retries,
 * the rest are retried with backoff.
 */
export function asNovuJobError(
  error: unknown,
  terminal: (explanation: NovuExplanation) => Error = (explanation) => new TerminalJobError(explanationText(explanation)),
): unknown {
  if (!(error instanceof BackendError)) return error;
  const explanation = explainNovuError(error);
  if (explanation.terminal) return terminal(explanation);
  return error.retryable ? error : new Error(explanationText(explanation));
}

/** A Novu call inside a job: its failure becomes what the job queue understands (`asNovuJobError`). */
export function novuJobStep<T>(call: Promise<T>): Promise<T> {
  return call.catch((error: unknown) => Promise.reject(asNovuJobError(error)));
}
