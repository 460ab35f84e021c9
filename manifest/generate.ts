import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readEnvironment } from '../src/config/load.js';
import { placeholderPublicUrl, renderManifest } from './build.js';
import { withConfigTable } from './config-table.js';

const usage = `Writes slack-manifest.yml (the Slack app's commands, scopes, events and URLs) and refreshes the
configuration table in README.md, both generated from the code.

Usage: npm run manifest -- [options]

  --public-url URL   where Slack reaches Switchboard (https). Default: PUBLIC_URL from the
                     environment or .env, else the placeholder ${placeholderPublicUrl}
  --socket-mode      Slack delivers events over Socket Mode: no request URLs in the manifest
  --token-rotation   turn on token rotation for the app (Switchboard refreshes the tokens)
  --name NAME        the app's display name (default: Switchboard)
  --out FILE         where to write the manifest (default: slack-manifest.yml)
  --check            write nothing; exit 1 when the manifest or README.md is out of date
  --help             this text
`;

function parseFlags(): ReturnType<typeof parse> {
  try {
    return parse();
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    process.exit(2);
  }
}

function parse() {
  return parseArgs({
    options: {
      'public-url': { type: 'string' },
      'socket-mode': { type: 'boolean', default: false },
      'token-rotation': { type: 'boolean', default: false },
      name: { type: 'string' },
      out: { type: 'string', default: 'slack-manifest.yml' },
      check: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

const { values } = parseFlags();
if (values.help) {
  process.stdout.write(usage);
  process.exit(0);
}

const fromEnvironment = readEnvironment().PUBLIC_URL;
const publicUrl = values['public-url'] ?? fromEnvironment ?? placeholderPublicUrl;
if (!/^https?:\/\/\S+$/.test(publicUrl)) {
  process.stderr.write(`--public-url must be an http(s) URL, got "${publicUrl}"\n`);
  process.exit(2);
}
if (!values['public-url'] && !values.check) {
  process.stderr.write(
    fromEnvironment
      ? `Using PUBLIC_URL from the environment or .env: ${publicUrl}\n`
      : `No --public-url and no PUBLIC_URL: the manifest uses the placeholder ${publicUrl}\n`,
  );
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
