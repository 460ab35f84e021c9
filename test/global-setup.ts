import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const logDirectory = resolve('test-results', 'logs');

/** Shapes of the secrets the test kit makes up: any of them in a log line is a leak. */
const leakPatterns = [
  /\bxox[abposre]-[A-Za-z0-9-]{8,}/,
  /\bxapp-\d-[A-Za-z0-9-]{8,}/,
  /emulated-client-secret-[0-9a-f]{8}/,
  /novu-secret-[0-9a-f]{8}/,
  /\bsigning-[0-9a-f]{32}\b/,
  /\bstate-[0-9a-f]{32}\b/,
];

/** Builds dist/ (process tests run the build, as `npm start` does) and collects every test app's logs. */
export default function setup(): () => void {
  execFileSync(process.execPath, [join('node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  rmSync(logDirectory, { recursive: true, force: true });
  mkdirSync(logDirectory, { recursive: true });
  process.env.SWITCHBOARD_TEST_LOG_DIR = logDirectory;

  return () => {
    if (!existsSync(logDirectory)) return;
    const leaks: string[] = [];
    for (const file of readdirSync(logDirectory)) {
      const lines = readFileSync(join(logDirectory, file), 'utf8').split('\n');
      lines.forEach((line, index) => {
        for (const pattern of leakPatterns) if (pattern.test(line)) leaks.push(`${file}:${index + 1} matches ${pattern}`);
      });
    }
    if (leaks.length > 0) throw new Error(`Secrets leaked into test logs:\n${leaks.slice(0, 20).join('\n')}`);
  };
}
