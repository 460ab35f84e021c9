/**
 * A failure as a job keeps it (its error, the audit log's) and people read it: first what
 * happened and what to do, in Switchboard's words; then, after a line that starts "Details: ",
 * the vendor's own words. Views show the first part as the sentence and the second behind it
 * (`failureDetails` in failure-messages.ts); a field error or a CSV cell keeps both on one line.
 */
const detailsMark = '\nDetails: ';

/** Switchboard's words, and the vendor's behind them when there are any. */
export function failureText(text: string, details?: string): string {
  const said = details?.trim();
  return said ? `${text}${detailsMark}${said}` : text;
}

export interface FailureParts {
  /** What happened and what to do. */
  text: string;
  /** The vendor's own words, when it said any. */
  details?: string;
}

export function failureParts(error: string): FailureParts {
  const at = error.indexOf(detailsMark);
  if (at < 0) return { text: error };
  const details = error.slice(at + detailsMark.length).trim();
  return details ? { text: error.slice(0, at), details } : { text: error.slice(0, at) };
}

/** Both parts on one line, for plain text (a form field's error, a CSV cell). */
export function failureLine(error: string): string {
  const { text, details } = failureParts(error);
  return details ? `${text} (Details: ${details})` : text;
}
