import type { Setting } from '../src/config/kinds.js';
import { settings } from '../src/config/settings.js';

export const configTableStart = '<!-- config-table:start (npm run manifest writes this table from src/config/settings.ts) -->';
export const configTableEnd = '<!-- config-table:end -->';

/** The README's table of every environment variable, grouped as the config module groups them. */
export function renderConfigTable(): string {
  const rows = Object.entries(settings).map(([name, setting]) => {
    const shown = defaultShown(setting);
    return `| ${setting.group} | \`${name}\` | ${shown ? code(shown) : '—'} | ${cell(setting.summary)} | ${cell(setting.where)} |`;
  });
  return ['| group | variable | default | what it does | where to get it |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** Replaces the table between the markers; throws when the markers are missing. */
export function withConfigTable(readme: string): string {
  const start = readme.indexOf(configTableStart);
  const end = readme.indexOf(configTableEnd);
  if (start < 0 || end < start) throw new Error('README.md has no config-table markers');
  return `${readme.slice(0, start + configTableStart.length)}\n${renderConfigTable()}\n${readme.slice(end)}`;
}

/** What an unset setting becomes, when that is a plain value a person can read. */
function defaultShown({ schema, shownDefault }: Setting): string | undefined {
  if (shownDefault) return shownDefault;
  const unset = schema.safeParse(undefined);
  return unset.success && ['string', 'number', 'boolean'].includes(typeof unset.data) ? String(unset.data) : undefined;
}

function code(value: string): string {
  return value.startsWith('(') ? value : `\`${value}\``;
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}
