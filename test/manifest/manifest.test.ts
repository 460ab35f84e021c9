import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildManifest, placeholderPublicUrl, renderManifest } from '../../manifest/build.js';
import { withConfigTable } from '../../manifest/config-table.js';
import { settings } from '../../src/config/settings.js';
import { commandCatalog } from '../../src/slack/commands/catalog.js';
import { botScopeNames } from '../../src/slack/scopes.js';
import { manifestProblems } from '../kit/slack-schemas.js';

describe('slack-manifest.yml', () => {
  it('is in sync with the command catalog (run `npm run manifest` after changing commands or scopes)', () => {
    expect(readFileSync('slack-manifest.yml', 'utf8')).toBe(renderManifest({ publicUrl: placeholderPublicUrl }));
  });

  it("passes Slack's official manifest schema, in HTTP and in Socket Mode", () => {
    expect(manifestProblems(parse(readFileSync('slack-manifest.yml', 'utf8')))).toEqual([]);
    expect(manifestProblems(buildManifest({ publicUrl: 'https://sb.example.org', socketMode: true }))).toEqual([]);
  });

  it('the schema check can fail: a name over 35 characters, an unknown key, a bad command', () => {
    const manifest = parse(readFileSync('slack-manifest.yml', 'utf8'));
    expect(manifestProblems({ ...manifest, display_information: { ...manifest.display_information, name: 'S'.repeat(36) } })).not.toEqual([]);
    expect(manifestProblems({ ...manifest, settings: { ...manifest.settings, unknown_setting: true } })).not.toEqual([]);
    const badCommand = { ...manifest.features.slash_commands[0], command: 'no-slash' };
    expect(manifestProblems({ ...manifest, features: { ...manifest.features, slash_commands: [badCommand] } })).not.toEqual([]);
  });

  it('declares every catalog command with its usage hint and the events the app handles', () => {
    const manifest = buildManifest({ publicUrl: 'https://sb.example.org' }) as any;
    expect(manifest.features.slash_commands.map((command: { command: string }) => command.command)).toEqual(
      commandCatalog.map((command) => `/${command.name}`),
    );
    expect(manifest.features.slash_commands[1].usage_hint).toBe('[register | list | remove | import-csv | sip | import | numbers | help]');
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(['app_home_opened', 'app_uninstalled', 'tokens_revoked']);
    expect(manifest.oauth_config.redirect_urls).toEqual(['https://sb.example.org/slack/oauth_redirect']);
    expect(manifest.settings.interactivity.message_menu_options_url).toBe('https://sb.example.org/slack/events');
  });

  it('in Socket Mode carries no request URLs and says so', () => {
    const manifest = buildManifest({ publicUrl: 'https://sb.example.org', socketMode: true }) as any;
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(JSON.stringify(manifest.settings)).not.toContain('/slack/events');
    expect(manifest.features.slash_commands[0].url).toBeUndefined();
  });
});

describe('scopes', () => {
  it('every scope the manifest asks for is accounted for in docs/decisions.md, and nothing else is', () => {
    const decisions = readFileSync('docs/decisions.md', 'utf8');
    const table = decisions.slice(decisions.indexOf('### Scopes'), decisions.indexOf('## Backends'));
    const listed = [...table.matchAll(/^\| `([a-z.:_-]+)` \|/gm)].map((match) => match[1]);
    expect(listed.sort()).toEqual([...botScopeNames].sort());
    const manifest = parse(readFileSync('slack-manifest.yml', 'utf8'));
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...botScopeNames].sort());
  });
});

describe('README.md', () => {
  it('documents every config variable, in the table generated from the config module', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toBe(withConfigTable(readme));
    for (const name of Object.keys(settings)) expect(readme).toContain(`\`${name}\``);
  });

  it('shows the two commands that set everything up', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });
});
