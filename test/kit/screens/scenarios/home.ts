import { eventually } from '../../harness.js';
import type { Driver } from '../driver.js';
import type { Scenario } from '../scenario.js';

/** A vendor's long answer, longer than the Home tab shows of a job's error: where it is cut, the cut must end at a word. */
const longRefusal =
  'The channel connection could not be updated because the integration it names was reconfigured by another administrator of the Novu organization while this request was in flight; reload the integration settings in the Novu dashboard, check that the Slack workspace is still authorized for this environment, and try the request again once the configuration has been saved and verified by the organization owner.';

/** Reconnect from the admin's Home tab while Novu refuses, so the operator's queue holds a dead job with that refusal. */
async function deadReconnect(d: Driver): Promise<void> {
  const { harness, cast } = d;
  const home = harness.emulator.homeViews.get(cast.admin.userId);
  if (!home) throw new Error('The admin has no Home tab yet');
  harness.novu.inject({ match: 'PATCH /v1/channel-connections/*', times: 1, reply: { status: 422, body: { statusCode: 422, message: longRefusal } } });
  await d.click({ view: home }, 'connect.reconnect', cast.admin);
  await eventually(async () => (await harness.app.services.store.jobs.list({ statuses: ['dead'], limit: 1 })).length > 0, { message: 'a dead job' });
}

/** The App Home tab, as each kind of person sees it once the workspace is in use. */
export const homeScenarios: Scenario[] = [
  {
    name: 'home-member',
    caption: 'The Home tab for a member: the connection, whom they are linked to, the workspace’s phone endpoints and numbers.',
    main: true,
    run: (d) => d.home(d.cast.member),
  },
  {
    name: 'home-admin',
    caption: 'The Home tab for a workspace admin: the same with buttons that open each form, the Slack routes and recent changes.',
    main: true,
    run: (d) => d.home(d.cast.admin),
  },
  {
    name: 'home-operator',
    caption: 'The Home tab for a Switchboard operator: number requests to decide and the job queue, a dead job with Retry.',
    main: true,
    fed: [longRefusal],
    run: async (d) => {
      await deadReconnect(d);
      return d.home(d.cast.operator);
    },
  },
];
