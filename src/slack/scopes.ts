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
  { scope: 'users:read.email', why: 'Link people to the Novu subscribers with their email; let Novu find them too.' },
  { scope: 'channels:read', why: 'Check a channel before routing notifications to it, and let Novu find public channels.' },
  { scope: 'channels:join', why: 'Join a public channel you route notifications to (Switchboard asks first).' },
  { scope: 'groups:read', why: 'Check that the app was invited to a private channel you route to; let Novu find such channels.' },
  { scope: 'files:read', why: 'Read the CSV file you upload to register many phone numbers at once.' },
  { scope: 'files:write', why: 'Send you the rows of such a file that could not be registered, as a CSV file.' },
] as const;

export const botScopeNames: string[] = botScopes.map((entry) => entry.scope);

export const botEvents = ['app_home_opened', 'app_uninstalled', 'tokens_revoked'] as const;
