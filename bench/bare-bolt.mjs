// The baseline: a minimal Bolt app that answers the same command with ack(), with an in-memory
// authorize (or, for the OAuth figure, Bolt's own in-memory installation store). Plain JavaScript
// so that it runs on `node` exactly as the built Switchboard does.
import bolt from '@slack/bolt';
// The same help payload Switchboard acknowledges /phone help with, so both apps send the same bytes.
import { commandCatalog } from '../dist/src/slack/commands/catalog.js';
import { helpMessage } from '../dist/src/slack/commands/messages.js';

const { App, HTTPReceiver, MemoryInstallationStore } = bolt;
const env = process.env;
const oauth = env.BARE_OAUTH === 'true';

const receiver = new HTTPReceiver({
  signingSecret: env.SLACK_SIGNING_SECRET,
  ...(oauth
    ? {
        clientId: env.SLACK_CLIENT_ID,
        clientSecret: env.SLACK_CLIENT_SECRET,
        stateSecret: env.SLACK_STATE_SECRET,
        scopes: ['commands', 'chat:write'],
        redirectUri: `${env.PUBLIC_URL}/slack/oauth_redirect`,
        installationStore: new MemoryInstallationStore(),
        installerOptions: {
          authorizationUrl: env.SLACK_AUTHORIZE_URL,
          clientOptions: { slackApiUrl: env.SLACK_API_URL },
          redirectUriPath: '/slack/oauth_redirect',
        },
      }
    : {}),
});

const app = new App({
  receiver,
  clientOptions: { slackApiUrl: env.SLACK_API_URL },
  // Like Switchboard, a token per workspace: the bench workspace's real one, a made-up one for the others.
  ...(oauth
    ? {}
    : {
        authorize: async ({ teamId }) => ({
          botToken: teamId === 'T0BENCH' ? env.BARE_BOT_TOKEN : `xoxb-${teamId}-bare`,
          botId: 'B0BARE',
          botUserId: 'U0BAREBOT',
        }),
      }),
});

const phoneHelp = helpMessage(commandCatalog.find((command) => command.name === 'phone'));

app.command('/phone', async ({ ack, body, client, command }) => {
  if (command.text === 'help') return ack(phoneHelp);
  await ack();
  if (command.text.startsWith('register')) {
    await client.views.open({
      trigger_id: body.trigger_id,
      view: { type: 'modal', title: { type: 'plain_text', text: 'Register' }, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hi' } }] },
    });
  }
});

// A form that queues work, acknowledged at once with a view as Switchboard answers it (which stores the job first).
app.view('phone.register', async ({ ack }) => {
  await ack({
    response_action: 'update',
    view: { type: 'modal', title: { type: 'plain_text', text: 'Register' }, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Registering…' } }] },
  });
});

await app.start(Number(env.PORT));
process.stdout.write('ready\n');
process.on('SIGTERM', () => app.stop().then(() => process.exit(0)));
