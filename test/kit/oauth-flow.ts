import type { InstallTarget, SlackEmulator } from './slack-emulator.js';

/**
 * The install flow as a browser walks it, against any app URL: the install page (and its cookie),
 * the emulator's consent page, then the callback with the cookie. Returns the final page and how
 * long the callback took.
 */
export async function installThrough(appUrl: string, emulator: SlackEmulator, target?: Partial<InstallTarget>, choice: 'allow' | 'cancel' = 'allow') {
  if (target) emulator.nextInstall = { ...emulator.nextInstall, ...target } as InstallTarget;
  const start = await fetch(`${appUrl}/slack/install`, { redirect: 'manual' });
  const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const html = await start.text();
  // Our page names its link; Bolt's default page (the benchmark's bare app) only links to Slack.
  const link = /id="add-to-slack" href="([^"]+)"/.exec(html) ?? /href="([^"]*\/oauth\/v2\/authorize[^"]*)"/.exec(html);
  const authorize = link?.[1]?.replace(/&amp;/g, '&');
  if (!authorize) throw new Error(`The install page has no Add to Slack link: ${html.slice(0, 200)}`);
  const consent = await (await fetch(authorize)).text();
  const chosen = new RegExp(`id="${choice}" href="([^"]+)"`).exec(consent)?.[1]?.replace(/&amp;/g, '&');
  if (!chosen) throw new Error(`The authorize page has no ${choice} link`);
  const answer = await fetch(new URL(chosen, emulator.url), { redirect: 'manual' });
  const callback = answer.headers.get('location');
  if (!callback) throw new Error('Slack did not redirect back');
  const began = performance.now();
  const finished = await fetch(callback, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
  const page = await finished.text();
  return { status: finished.status, html: page, callbackMs: performance.now() - began };
}
