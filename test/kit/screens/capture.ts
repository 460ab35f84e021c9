import { type Harness, startHarness, team } from '../harness.js';
import { Driver, type Surface } from './driver.js';
import type { Scenario } from './scenario.js';
import { scenarios } from './scenarios/index.js';

/** One captured surface, with the scenario that reached it. */
export interface Shot {
  scenario: Scenario;
  surface: Surface;
}

/** Ids and the names Slack shows for them, as a renderer needs them for mentions. */
export interface Directory {
  users: { id: string; name: string }[];
  channels: { id: string; name: string }[];
}

export interface Gallery {
  shots: Shot[];
  directory: Directory;
}

const people = { installer: 'Priya Raman', admin: 'Dana Okafor', member: 'Sam Lee', operator: 'Alex Moreno' } as const;

const channels = [
  { id: 'C0GENERAL', name: 'general' },
  { id: 'C0OPSALERT', name: 'ops-alerts' },
  { id: 'C0INCIDENT', name: 'incidents' },
  { id: 'C0ONCALL', name: 'oncall' },
];

const subscribers = [
  ['maria.lopez', 'Maria Lopez'],
  ['sam.lee', 'Sam Lee'],
  ['jordan.kim', 'Jordan Kim'],
  ['riley.park', 'Riley Park'],
] as const;

/** The gallery's workspace: people with names, channels, and Novu subscribers that match them. */
function furnish(harness: Harness): Directory {
  const { emulator, novu, actors } = harness;
  for (const [role, name] of Object.entries(people)) {
    const user = emulator.users.get(actors[role as keyof typeof people].userId);
    if (user) Object.assign(user, { name, email: `${name.toLowerCase().replace(' ', '.')}@acme.example` });
  }
  const bot = `U${team.id}BOT`;
  emulator.channels.add({ id: 'C0OPSALERT', name: 'ops-alerts', kind: 'public', teamId: team.id, members: [actors.admin.userId, bot] });
  emulator.channels.add({ id: 'C0INCIDENT', name: 'incidents', kind: 'public', teamId: team.id, members: [actors.admin.userId] });
  emulator.channels.add({ id: 'C0ONCALL', name: 'oncall', kind: 'private', teamId: team.id, members: [actors.admin.userId] });
  for (const [subscriberId, name] of subscribers) {
    const [firstName, lastName] = name.split(' ');
    novu.subscribers.set(subscriberId, { subscriberId, firstName, lastName, email: `${subscriberId}@acme.example` });
  }
  novu.addWorkflow('incident', ['chat', 'sms'], 'Incident: {{payload.text}}');
  return {
    users: [...emulator.users.values()].map((user) => ({ id: user.id, name: user.name ?? user.id })).concat({ id: bot, name: 'Switchboard' }),
    channels,
  };
}

/**
 * Starts the real app with the test kit (the Slack emulator and the vendor fakes over loopback
 * HTTP), installs it as a browser would, runs every scenario in order and stops the app. Throws
 * when a scenario cannot reach its surface, or when Slack would have refused anything the app sent.
 */
export async function captureGallery(list: readonly Scenario[] = scenarios): Promise<Gallery> {
  const harness = await startHarness({ vapi: true, signalwire: true, logLevel: 'warn' });
  const shots: Shot[] = [];
  let directory: Directory = { users: [], channels };
  try {
    directory = furnish(harness);
    const driver = new Driver(harness, harness.actors);
    const installed = await harness.install();
    driver.memo.set('installedPage', installed.html);
    for (const scenario of list) {
      const surface = await scenario.run(driver).catch((error: unknown) => {
        throw new Error(`Scenario ${scenario.name}: ${error instanceof Error ? error.message : String(error)}`);
      });
      shots.push({ scenario, surface });
    }
  } finally {
    await harness.stop();
  }
  return { shots, directory };
}
