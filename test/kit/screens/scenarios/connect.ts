import { asModal, says } from '../driver.js';
import type { Scenario } from '../scenario.js';

/** The install pages, help, refusals, and `/connect`: the workspace's connection to Novu. */
export const connectScenarios: Scenario[] = [
  {
    name: 'install-page',
    caption: 'The install page a person opens to add Switchboard to their workspace.',
    main: true,
    run: (d) => d.page('/slack/install'),
  },
  {
    name: 'installed-page',
    caption: 'After Slack’s consent screen: the workspace is installed and connected to Novu, and what to do next.',
    run: async (d) => ({ kind: 'page', html: String(d.memo.get('installedPage') ?? '') }),
  },
  {
    name: 'help-connect',
    caption: '`/connect help`: every subcommand, with who may run it.',
    main: true,
    run: (d) => d.reply('/connect', 'help', d.cast.member),
  },
  {
    name: 'help-phone',
    caption: '`/phone help`: every subcommand, its arguments and examples.',
    run: (d) => d.reply('/phone', 'help', d.cast.member),
  },
  {
    name: 'unknown-subcommand',
    caption: 'A mistyped subcommand gets the closest match and the help.',
    run: (d) => d.reply('/phone', 'regster +14155550100', d.cast.member),
  },
  {
    name: 'refusal',
    caption: 'A member who runs an admin’s subcommand is told who may.',
    main: true,
    run: (d) => d.reply('/connect', 'setup', d.cast.member),
  },
  {
    name: 'connect-status',
    caption: '`/connect status`: the workspace’s connection in a sentence, ids in the details line.',
    main: true,
    run: (d) => d.reply('/connect', 'status', d.cast.admin),
  },
  {
    name: 'connect-setup-form',
    caption: '`/connect setup`: the form that connects the workspace to a Novu Slack integration.',
    main: true,
    run: async (d) => asModal(await d.modal('/connect', 'setup', 'connect.setup', d.cast.admin)),
  },
  {
    name: 'connect-setup-done',
    caption: 'The setup form’s result: connected, and the next step (a route).',
    main: true,
    run: async (d) => {
      const form = await d.modal('/connect', 'setup', 'connect.setup', d.cast.admin);
      return asModal(await d.submit(form, { integration: 'slack-prod' }, d.cast.admin, says('white_check_mark')));
    },
  },
];
