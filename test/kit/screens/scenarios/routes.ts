import { asModal, says } from '../driver.js';
import type { Scenario } from '../scenario.js';

/** Where in Slack notifications go: channels, linked people, the list of routes and the delivery check. */
export const routeScenarios: Scenario[] = [
  {
    name: 'channel-form',
    caption: '`/connect channel #ops-alerts maria.lopez`: the form, filled in from the command.',
    main: true,
    run: async (d) => asModal(await d.modal('/connect', 'channel <#C0OPSALERT|ops-alerts> maria.lopez', 'routes.channel', d.cast.admin)),
  },
  {
    name: 'channel-done',
    caption: 'The channel is routed: Novu’s Slack notifications for the subscriber arrive there, with a test button.',
    main: true,
    run: async (d) => {
      const form = await d.modal('/connect', 'channel <#C0OPSALERT|ops-alerts> maria.lopez', 'routes.channel', d.cast.admin);
      return asModal(await d.submit(form, {}, d.cast.admin, says('delivery.test')));
    },
  },
  {
    name: 'channel-join',
    caption: 'A public channel Switchboard is not in: it asks before it joins.',
    run: async (d) => {
      const form = await d.modal('/connect', 'channel <#C0INCIDENT|incidents> maria.lopez', 'routes.channel', d.cast.admin);
      const answer = await d.harness.slack.submitView(form, {}, d.cast.admin);
      if (answer.json?.view?.callback_id !== 'routes.channel.join') throw new Error(`Expected the join prompt, got ${JSON.stringify(answer.json)}`);
      return { kind: 'modal', view: answer.json.view };
    },
  },
  {
    name: 'link-form',
    caption: '`/connect link @sam sam.lee`: send a subscriber’s notifications to a person as direct messages.',
    main: true,
    run: async (d) => asModal(await d.modal('/connect', `link <@${d.cast.member.userId}|sam> sam.lee`, 'routes.link', d.cast.admin)),
  },
  {
    name: 'link-done',
    caption: 'The person is linked.',
    run: async (d) => {
      const form = await d.modal('/connect', `link <@${d.cast.member.userId}|sam> sam.lee`, 'routes.link', d.cast.admin);
      return asModal(await d.submit(form, {}, d.cast.admin, says('as direct messages')));
    },
  },
  {
    name: 'connect-routes',
    caption: '`/connect routes`: every channel and linked person, each with Remove.',
    main: true,
    run: (d) => d.reply('/connect', 'routes', d.cast.admin),
  },
  {
    name: 'connect-check',
    caption: '`/connect check`: whether the connection and every route and phone endpoint would deliver, with a Fix where one helps.',
    main: true,
    run: (d) => d.reply('/connect', 'check', d.cast.admin, (body) => body.includes('Delivery check')),
  },
];
