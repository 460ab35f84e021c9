import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readEnvironment } from '../src/config/load.js';
import { placeholderPublicUrl, renderManifest } from './build.js';
import { withConfigTable } from './config-table.js';

/**
 * npm run manifest -- [--public-url https://host] [--socket-mode] [--token-rotation] [--name Switchboard]
 *                     [--out slack-manifest.yml] [--check]
 *
 * Also refreshes the configuration table in README.md, which is generated from the same code.
 */
const { values } = parseArgs({
  options: {
    'public-url': { type: 'string' },
    'socket-mode': { type: 'boolean', default: false },
    'token-rotation': { type: 'boolean', default: false },
    name: { type: 'string' },
    out: { type: 'string', default: 'slack-manifest.yml' },
    check: { type: 'boolean', default: false },
  },
});

const publicUrl = values['public-url'] ?? readEnvironment().PUBLIC_URL ?? placeholderPublicUrl;
if (!/^https?:\/\/\S+$/.test(publicUrl)) {
  process.stderr.write(`--public-url must be an http(s) URL, got "${publicUrl}"\n`);
  process.exit(2);
}
if (!values['socket-mode'] && !publicUrl.startsWith('https://')) {
  process.stderr.write(`Note: Slack only sends events to https URLs; ${publicUrl} works for Socket Mode (--socket-mode) or behind a tunnel.\n`);
}
const text = renderManifest({ publicUrl, socketMode: values['socket-mode'], tokenRotation: values['token-rotation'], appName: values.name });
const readme = readFileSync('README.md', 'utf8');
const refreshedReadme = withConfigTable(readme);
if (values.check) {
  const stale = [readFileSync(values.out, 'utf8') !== text && values.out, readme !== refreshedReadme && 'README.md'].filter(Boolean);
  if (stale.length > 0) {
    process.stderr.write(`${stale.join(' and ')} out of date: run npm run manifest\n`);
    process.exit(1);
  }
  process.stdout.write(`${values.out} and README.md are up to date\n`);
} else {
  writeFileSync(values.out, text);
  if (readme !== refreshedReadme) writeFileSync('README.md', refreshedReadme);
  process.stdout.write(`Wrote ${values.out} for ${publicUrl}${values['socket-mode'] ? ' (Socket Mode)' : ''}\n`);
}
