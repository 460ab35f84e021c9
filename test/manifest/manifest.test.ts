import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { buildManifest, placeholderPublicUrl, renderManifest } from '../../manifest/build.js';
import { withConfigTable } from '../../manifest/config-table.js';
import { variables } from '../../src/config/variables.js';
import { commandCatalog } from '../../src/slack/commands/catalog.js';

/** The keys and limits of Slack's app manifest schema 1.x: unknown keys are refused, as Slack does. */
const text = (min: number, max: number) => z.string().min(min).max(max);
const https = z
  .string()
  .regex(/^https:\/\//)
  .max(3000);
const manifestSchema = z.strictObject({
  _metadata: z.strictObject({ major_version: z.literal(1), minor_version: z.number().int().min(0) }),
  display_information: z.strictObject({
    name: text(1, 35),
    description: text(1, 140),
    long_description: text(175, 4000),
    background_color: z.string().regex(/^#[0-9a-fA-F]{6}$/),
  }),
  features: z.strictObject({
    app_home: z.strictObject({ home_tab_enabled: z.boolean(), messages_tab_enabled: z.boolean(), messages_tab_read_only_enabled: z.boolean() }),
    bot_user: z.strictObject({ display_name: text(1, 80), always_online: z.boolean() }),
    slash_commands: z
      .array(
        z.strictObject({
          command: z.string().regex(/^\/[a-z0-9_-]{1,31}$/),
          url: https.optional(),
          description: text(1, 2000),
          usage_hint: text(0, 1000),
          should_escape: z.boolean(),
        }),
      )
      .max(50),
  }),
  oauth_config: z.strictObject({
    redirect_urls: z
      .array(z.string().regex(/^https?:\/\//))
      .min(1)
      .max(1000),
    scopes: z.strictObject({ bot: z.array(z.string().regex(/^[a-z.:_-]+$/)).max(255) }),
  }),
  settings: z.strictObject({
    event_subscriptions: z.strictObject({ request_url: https.optional(), bot_events: z.array(z.string()).max(100) }),
    interactivity: z.strictObject({ is_enabled: z.boolean(), request_url: https.optional(), message_menu_options_url: https.optional() }),
    org_deploy_enabled: z.boolean(),
    socket_mode_enabled: z.boolean(),
    token_rotation_enabled: z.boolean(),
  }),
});

describe('slack-manifest.yml', () => {
  it('is in sync with the command catalog (run `npm run manifest` after changing commands or scopes)', () => {
    expect(readFileSync('slack-manifest.yml', 'utf8')).toBe(renderManifest({ publicUrl: placeholderPublicUrl }));
  });

  it('is valid for "create app from manifest": keys and limits', () => {
    const parsed = parse(readFileSync('slack-manifest.yml', 'utf8'));
    const result = manifestSchema.safeParse(parsed);
    expect(result.success ? [] : result.error.issues).toEqual([]);
  });

  it('declares every catalog command with its usage hint and the events the app handles', () => {
    const manifest = buildManifest({ publicUrl: 'https://sb.example.org' }) as any;
    expect(manifest.features.slash_commands.map((command: { command: string }) => command.command)).toEqual(
      commandCatalog.map((command) => `/${command.name}`),
    );
    expect(manifest.features.slash_commands[1].usage_hint).toBe('[register | list | remove | sip | import | numbers | help]');
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(['app_home_opened', 'app_uninstalled', 'tokens_revoked']);
    expect(manifest.oauth_config.redirect_urls).toEqual(['https://sb.example.org/slack/oauth_redirect']);
    expect(manifest.settings.interactivity.message_menu_options_url).toBe('https://sb.example.org/slack/events');
  });

  it('in Socket Mode carries no request URLs and says so', () => {
    const manifest = buildManifest({ publicUrl: 'https://sb.example.org', socketMode: true }) as any;
    expect(manifestSchema.safeParse(manifest).success).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(JSON.stringify(manifest.settings)).not.toContain('/slack/events');
    expect(manifest.features.slash_commands[0].url).toBeUndefined();
  });
});

describe('README.md', () => {
  it('documents every config variable, in the table generated from the config module', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toBe(withConfigTable(readme));
    for (const name of Object.keys(variables)) expect(readme).toContain(`\`${name}\``);
  });

  it('shows the two commands that set everything up', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });
});
