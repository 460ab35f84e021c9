import { type VariableDoc, type VariableName, variables } from '../src/config/variables.js';

export const configTableStart = '<!-- config-table:start (npm run manifest writes this table from src/config/variables.ts) -->';
export const configTableEnd = '<!-- config-table:end -->';

/** The README's table of every environment variable, grouped as the config module groups them. */
export function renderConfigTable(): string {
  const rows = (Object.entries(variables) as [VariableName, VariableDoc][]).map(
    ([name, doc]) => `| ${doc.group} | \`${name}\` | ${doc.default ? code(doc.default) : '—'} | ${cell(doc.summary)} | ${cell(doc.where)} |`,
  );
  return ['| group | variable | default | what it does | where to get it |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** Replaces the table between the markers; throws when the markers are missing. */
export function withConfigTable(readme: string): string {
  const start = readme.indexOf(configTableStart);
  const end = readme.indexOf(configTableEnd);
  if (start < 0 || end < start) throw new Error('README.md has no config-table markers');
  return `${readme.slice(0, start + configTableStart.length)}\n${renderConfigTable()}\n${readme.slice(end)}`;
}

function code(value: string): string {
  return value.startsWith('(') ? value : `\`${value}\``;
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}
