import { stringify } from 'yaml';
import { commandCatalog, usageHint } from '../src/slack/commands/catalog.js';
import { botEvents, botScopeNames } from '../src/slack/scopes.js';

export interface ManifestOptions {
  publicUrl: string;
  socketMode?: boolean;
  appName?: string;
  tokenRotation?: boolean;
}

export const placeholderPublicUrl = 'https://switchboard.example.com';

const longDescription =
  'Switchboard lets an operations team run notifications and telephony from Slack. Installing it into a workspace stores the workspace bot token in Novu as a channel connection, so Novu can deliver chat notifications there. /connect shows and manages that connection; /phone registers subscribers’ phone numbers as Novu phone endpoints and provisions numbers on Vapi (free US numbers and SIP URIs) and SignalWire (imported numbers), then registers them in Novu in the same flow. Every change is checked against who may make it and written to an audit trail.';

/** The Slack app manifest, from the command catalog and the scope list (keys per Slack's manifest schema 1.x). */
export function buildManifest(options: ManifestOptions): Record<string, unknown> {
  const base = options.publicUrl.replace(/\/+$/, '');
  const events = options.socketMode ? undefined : `${base}/slack/events`;
  return {
    _metadata: { major_version: 1, minor_version: 1 },
    display_information: {
      name: options.appName ?? 'Switchboard',
      description: 'Connect workspaces to Novu, register phone endpoints, provision Vapi and SignalWire numbers.',
      long_description: longDescription,
      background_color: '#1f2a44',
    },
    features: {
      app_home: { home_tab_enabled: true, messages_tab_enabled: true, messages_tab_read_only_enabled: true },
      bot_user: { display_name: 'switchboard', always_online: true },
      slash_commands: commandCatalog.map((command) => ({
        command: `/${command.name}`,
        ...(events ? { url: events } : {}),
        description: command.description,
        usage_hint: usageHint(command),
        should_escape: Boolean(command.escapesMentions),
      })),
    },
    oauth_config: {
      redirect_urls: [`${base}/slack/oauth_redirect`],
      scopes: { bot: botScopeNames },
    },
    settings: {
      event_subscriptions: { ...(events ? { request_url: events } : {}), bot_events: [...botEvents] },
      interactivity: { is_enabled: true, ...(events ? { request_url: events, message_menu_options_url: events } : {}) },
      org_deploy_enabled: true,
      socket_mode_enabled: Boolean(options.socketMode),
      token_rotation_enabled: Boolean(options.tokenRotation),
    },
  };
}

export function renderManifest(options: ManifestOptions): string {
  const header = [
    '# Slack app manifest for Switchboard, written by `npm run manifest` from the command catalog.',
    '# Create the app at https://api.slack.com/apps → Create New App → From a manifest.',
    options.publicUrl === placeholderPublicUrl
      ? '# Replace the example URL: npm run manifest -- --public-url https://your-host'
      : `# Public URL: ${options.publicUrl}`,
  ].join('\n');
  return `${header}\n${stringify(buildManifest(options), { lineWidth: 0 })}`;
}
