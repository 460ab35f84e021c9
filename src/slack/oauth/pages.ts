import { botScopes } from '../scopes.js';

/** The install and callback pages: small, readable HTML that works without JavaScript. */

export type NovuConnectionState =
  | { state: 'connected'; identifier: string; integration: string }
  | { state: 'pending'; reason?: string; details?: string }
  | { state: 'failed'; reason: string; hint?: string; details?: string }
  | { state: 'not-configured'; missing: string };

/** What happened after the install, for the success page. */
export type InstallOutcome = { tenant: 'approved'; novu: NovuConnectionState } | { tenant: 'pending'; installerId: string; operatorsConfigured: boolean };

function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Switchboard</title>
<style>
  body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d1c1d; background: #f8f8f8; margin: 0; }
  main { max-width: 40rem; margin: 3rem auto; background: #fff; padding: 2rem 2.5rem; border-radius: 12px; box-shadow: 0 1px 4px rgba(0,0,0,.08); }
  h1 { font-size: 1.5rem; margin-top: 0; }
  .ok { color: #007a5a; } .warn { color: #b26b00; } .bad { color: #c01343; }
  ul.scopes { padding-left: 1.2rem; } ul.scopes code { background: #f4f4f4; padding: 0 .3rem; border-radius: 4px; }
  a.button { display: inline-block; background: #4a154b; color: #fff; padding: .7rem 1.4rem; border-radius: 8px; text-decoration: none; font-weight: 600; }
  .note { color: #616061; font-size: .9rem; }
</style>
</head>
<body><main>
${body}
</main></body>
</html>`;
}

export function installPage(authorizeUrl: string): string {
  const scopes = botScopes.map((entry) => `<li><code>${escapeHtml(entry.scope)}</code> — ${escapeHtml(entry.why)}</li>`).join('\n');
  return page(
    'Add Switchboard to Slack',
    `<h1>Add Switchboard to Slack</h1>
<p>Switchboard connects this Slack workspace to Novu, so Novu can deliver notifications here, and gives your operations team the <code>/connect</code> and <code>/phone</code> commands.</p>
<p>Slack will ask you to allow these permissions:</p>
<ul class="scopes">
${scopes}
</ul>
<p><a class="button" id="add-to-slack" href="${escapeHtml(authorizeUrl)}">Add to Slack</a></p>
<p class="note">The link is valid for 10 minutes and only in this browser.</p>`,
  );
}

/** A sentence ends with a stop, whoever wrote it. */
const sentence = (text: string) => (/[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);

/** The vendor's own words, behind the sentence. */
const detailsNote = (details: string | undefined) => (details ? `<p class="note">Details: ${escapeHtml(details)}</p>` : '');

function novuParagraph(novu: NovuConnectionState): string {
  switch (novu.state) {
    case 'connected':
      return `<p class="ok">✓ Connected to Novu through the <code>${escapeHtml(novu.integration)}</code> integration: Novu can post into this workspace with its bot.</p>
<p class="note">Details: channel connection <code>${escapeHtml(novu.identifier)}</code></p>`;
    case 'pending':
      return `<p class="warn">⏳ The Novu connection is being completed in the background${novu.reason ? ` (${escapeHtml(novu.reason.replace(/\.$/, ''))})` : ''}. Nothing is lost: Switchboard keeps trying and will send the installer a direct message in Slack when it is done.</p>${detailsNote(novu.details)}`;
    case 'failed':
      return `<p class="bad">✗ Slack is connected, but the Novu connection was not made: ${escapeHtml(sentence(novu.reason))}</p>${novu.hint ? `<p>${escapeHtml(novu.hint)}</p>` : ''}<p>Once that is fixed, run <code>/connect setup</code> in Slack.</p>${detailsNote(novu.details)}`;
    case 'not-configured':
      return `<p class="warn">Novu is not configured in this Switchboard (${escapeHtml(novu.missing)}), so no Novu connection was made. Run <code>/connect setup</code> in Slack once it is.</p>`;
  }
}

function pendingParagraphs(outcome: Extract<InstallOutcome, { tenant: 'pending' }>): string {
  if (!outcome.operatorsConfigured) {
    return `<p class="warn">⏳ Waiting for approval, but this Switchboard has no operator yet, so nobody has been asked. Until a workspace is approved, nothing is sent to Novu and the commands answer that approval is pending.</p>
<p class="note">If you run this Switchboard: add your Slack member ID <code>${escapeHtml(outcome.installerId)}</code> to <code>OPERATORS</code>, restart it, and approve this workspace from Switchboard’s Home tab in Slack (or set <code>INSTALL_POLICY=open</code> to let every workspace in).</p>`;
  }
  return `<p class="warn">⏳ Waiting for approval: Switchboard’s operators were asked to approve this workspace. Until they do, nothing is sent to Novu and the commands answer that approval is pending. You will get a direct message in Slack when they decide.</p>`;
}

export function installSuccessPage(workspaceName: string, outcome: InstallOutcome, openSlackUrl: string): string {
  const pending = outcome.tenant === 'pending';
  return page(
    pending ? 'Waiting for approval' : 'Installed',
    `<h1 id="result" data-outcome="${pending ? 'pending-approval' : 'installed'}">Switchboard is installed in ${escapeHtml(workspaceName)}</h1>
${pending ? pendingParagraphs(outcome) : novuParagraph(outcome.novu)}
${pending ? '<p><strong>What next:</strong> once the workspace is approved, route a channel with <code>/connect channel</code>: Novu posts only where a route exists.</p>' : '<p><strong>What next:</strong> Novu posts only where a route exists. In Slack, route a channel with <code>/connect channel</code> or link people with <code>/connect link</code>, then <code>/connect check</code> says whether everything would deliver. <code>/phone help</code> is for phone numbers.</p>'}
<p><a class="button" href="${escapeHtml(openSlackUrl)}">Open Switchboard in Slack</a></p>`,
  );
}

/** The install policy refused the workspace: nothing was stored and the token was revoked. */
export function installRefusedPage(workspaceName: string): string {
  return page(
    'Not allowed',
    `<h1 id="result" data-outcome="failed" data-reason="not-allowed">Switchboard may not be installed in ${escapeHtml(workspaceName)}</h1>
<p>This Switchboard only accepts workspaces its operators have listed. Nothing was stored, and the permission Slack just gave was handed back.</p>
<p>If this workspace should use it, ask whoever runs Switchboard to add it to <code>INSTALL_ALLOWLIST</code>, then install again.</p>`,
  );
}

export interface InstallFailure {
  title: string;
  explanation: string;
  /** Machine-readable reason, for tests and support. */
  reason: string;
}

export function installFailurePage(failure: InstallFailure, installUrl: string): string {
  return page(
    failure.title,
    `<h1 id="result" data-outcome="failed" data-reason="${escapeHtml(failure.reason)}">${escapeHtml(failure.title)}</h1>
<p>${escapeHtml(failure.explanation)}</p>
<p><a class="button" href="${escapeHtml(installUrl)}">Start again</a></p>`,
  );
}
