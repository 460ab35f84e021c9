import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The built logger in a process that logs, then is SIGKILLed on the spot: the error line, and
 * every line before it, must be in its output. (With a buffered stream the tail is lost.)
 */
describe('crash-safe logs', () => {
  it('an error line and everything before it reach the output before a SIGKILL', () => {
    const logger = pathToFileURL(resolve('dist/src/logging/logger.js')).href;
    const script = `
      const { createLogger } = await import(${JSON.stringify(logger)});
      const log = createLogger({ level: 'info', format: 'json' });
      for (let n = 0; n < 3000; n += 1) log.info({ n }, 'working');
      log.error({ n: 3000 }, 'last words');
      process.kill(process.pid, 'SIGKILL');
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(child.signal).toBe('SIGKILL');
    const lines = child.stdout.trim().split('\n');
    expect(lines.at(-1)).toContain('"msg":"last words"');
    expect(lines).toHaveLength(3001);
  });
});
