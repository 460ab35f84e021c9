/** Printed when Switchboard starts with no Slack settings at all: how to get them. */
export const firstRunGuide = [
  'First time? Create the Slack app, then copy its secrets here:',
  '  1. Write the manifest for your URL:  npm run manifest -- --public-url https://your-host.example.com',
  '  2. https://api.slack.com/apps → Create New App → From a manifest → paste slack-manifest.yml',
  '  3. Basic Information → App Credentials: copy Client ID → SLACK_CLIENT_ID, Client Secret → SLACK_CLIENT_SECRET,',
  '     Signing Secret → SLACK_SIGNING_SECRET; invent SLACK_STATE_SECRET with `openssl rand -hex 32`.',
  '  4. Put them in a .env file next to package.json (see README → Configuration) and run `npm start` again.',
  '  5. Open <PUBLIC_URL>/slack/install to install Switchboard into a workspace.',
].join('\n');
