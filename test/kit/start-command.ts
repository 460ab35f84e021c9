import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * `node <flags> dist/src/main.js`, as `npm start` runs it (package.json's start script): tests and
 * the benchmark start Switchboard with the same V8 flags a user's process gets.
 */
export function startCommand(): string[] {
  const manifest: { scripts: { start: string } } = JSON.parse(readFileSync(resolve('package.json'), 'utf8'));
  const [program, ...args] = manifest.scripts.start.trim().split(/\s+/);
  if (program !== 'node' || args.at(-1) !== 'dist/src/main.js') throw new Error(`unexpected start script: ${manifest.scripts.start}`);
  return [...args.slice(0, -1), resolve('dist/src/main.js')];
}
