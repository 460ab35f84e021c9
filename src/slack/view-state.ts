/** Modal state comes from Slack but is read as untrusted input: anything that is not a string is absent. */
export function textOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
