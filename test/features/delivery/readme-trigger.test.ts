import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type Harness, startHarness, team } from '../../kit/harness.js';

/**
 * The README's trigger examples, run as an integrator would run them — the Node SDK snippet with
 * Novu's own SDK (@novu/api), the curl command with curl — against the test kit's Novu, with the
 * README's example workspace, workflow and subscriber swapped for the test's. The message must
 * reach the channel Switchboard routed.
 */
const run = promisify(execFile);
let h: Harness;
const bot = `U${team.id}BOT`;

function readmeExample(language: 'js' | 'sh'): string {
  const readme = readFileSync('README.md', 'utf8');
  const start = readme.indexOf('### Triggering notifications that reach Slack and phones');
  const section = readme.slice(start, readme.indexOf('\n### ', start + 10));
  const block = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(section)?.[1];
  if (!block) throw new Error(`The README has no ${language} trigger example`);
  return block.replaceAll('T0123ABCD', team.id);
}

beforeAll(async () => {
  h = await startHarness();
  await h.install();
  h.novu.addWorkflow('incident-alert', ['chat'], '{{payload.text}}');
  h.emulator.channels.add({ id: 'C0OPSALERT', name: 'ops-alerts', kind: 'public', teamId: team.id, members: ['U0ADMIN', bot] });
  const form = await h.openModal('/connect', 'channel <#C0OPSALERT|ops-alerts> subscriber-42', 'routes.channel');
  await h.slack.submitView(form, {}, h.actors.admin);
  await eventually(() => JSON.stringify(h.emulator.views.get(form.id)).includes('delivery.test'), { message: 'routed' });
});
afterAll(() => h.stop());

const environment = () => ({ ...process.env, NOVU_SECRET_KEY: h.novu.secretKey, NOVU_API_URL: h.novu.url });
const arrived = (since: number) =>
  h.emulator.calls
    .slice(since)
    .filter((call) => call.method === 'chat.postMessage' && call.ok && call.args.text === 'Disk almost full on db-1')
    .map((call) => call.args.channel);

describe('the README’s trigger examples', () => {
  it('the Node SDK example reaches the routed channel', async () => {
    const since = h.emulator.calls.length;
    await run(process.execPath, ['--input-type=module', '-e', readmeExample('js')], { env: environment(), cwd: process.cwd(), timeout: 20_000 });
    await h.novu.worker.idle();
    expect(arrived(since)).toEqual(['C0OPSALERT']);
    expect(h.novu.requestsTo('POST', '/v1/events/trigger').at(-1)?.problems).toEqual([]);
  });

  it('the curl example reaches the routed channel', async () => {
    const since = h.emulator.calls.length;
    const { stdout } = await run('bash', ['-c', readmeExample('sh')], { env: environment(), timeout: 20_000 });
    expect(JSON.parse(stdout)).toMatchObject({ data: { acknowledged: true, status: 'processed' } });
    await h.novu.worker.idle();
    expect(arrived(since)).toEqual(['C0OPSALERT']);
  });
});
