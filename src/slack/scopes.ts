/**
 * The bot scopes Switchboard asks for, and why, in the words shown on the install page. The bot
 * token is handed to Novu, so the scopes Novu needs to deliver chat notifications are here too.
 */
export const botScopes = [
  { scope: 'commands', why: 'Add the /connect and /phone commands.' },
  { scope: 'chat:write', why: 'Send you results and notices, and let Novu post notifications as the app.' },
  { scope: 'chat:write.public', why: 'Let Novu post notifications to public channels without being invited first.' },
  { scope: 'im:write', why: 'Open a direct message to tell the installer when background work finishes.' },
  { scope: 'users:read', why: 'Check whether the person running a command is a workspace admin.' },
  { scope: 'users:read.email', why: 'Let Novu find the Slack person who matches a subscriber’s email.' },
  { scope: 'channels:read', why: 'Let Novu find public channels to deliver to.' },
  { scope: 'groups:read', why: 'Let Novu find private channels the app was added to.' },
] as const;

export const botScopeNames: string[] = botScopes.map((entry) => entry.scope);

export const botEvents = ['app_home_opened', 'app_uninstalled', 'tokens_revoked'] as const;
