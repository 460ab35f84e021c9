import { eventually, type Harness, type HarnessOptions, startHarness, team } from '../kit/harness.js';
import type { Actor } from '../kit/slack-sender.js';

/**
 * Two workspaces and an Enterprise Grid org sharing one Switchboard (and one key per vendor):
 * Acme (the harness's own team), Globex, and the Acme Grid org installed org-wide.
 */
export const acme = team;
export const globex = { id: 'T0GLOBEX01', name: 'Globex' };
export const grid = { id: 'E0GRID0001', name: 'Acme Grid' };
const gridTeam = 'T0GRIDTEAM';

export interface World {
  harness: Harness;
  /** Acme's admin: a workspace admin, not an operator. */
  acmeAdmin: Actor;
  acmeMember: Actor;
  globexAdmin: Actor;
  operator: Actor;
  /** An admin of one workspace in the Grid org, who is not an org admin. */
  gridWorkspaceAdmin: Actor;
  gridOrgAdmin: Actor;
  installAcme(): Promise<{ status: number; html: string }>;
  installGlobex(): Promise<{ status: number; html: string }>;
  installGrid(): Promise<{ status: number; html: string }>;
  /** The body of the latest response_url post of a command, once it arrives. */
  answerTo(command: string, text: string, actor: Actor): Promise<string>;
  /** Requests that would change something at Novu (anything but a read). */
  novuWrites(): number;
}

export async function startWorld(options: HarnessOptions = {}): Promise<World> {
  const harness = await startHarness(options);
  const { emulator } = harness;
  emulator.addUser({ id: 'U0GLOBEXADM', teamId: globex.id, isAdmin: true });
  emulator.addUser({ id: 'U0GRIDWSADM', teamId: gridTeam, isAdmin: true, enterprise: { id: grid.id } });
  emulator.addUser({ id: 'U0GRIDORGAD', teamId: gridTeam, enterprise: { id: grid.id, isAdmin: true } });
  const gridActor = (userId: string): Actor => ({ userId, teamId: gridTeam, enterpriseId: grid.id, isEnterpriseInstall: true });
  return {
    harness,
    acmeAdmin: harness.actors.admin,
    acmeMember: harness.actors.member,
    globexAdmin: { userId: 'U0GLOBEXADM', teamId: globex.id },
    operator: harness.actors.operator,
    gridWorkspaceAdmin: gridActor('U0GRIDWSADM'),
    gridOrgAdmin: gridActor('U0GRIDORGAD'),
    installAcme: () => harness.install({ team: acme, enterprise: undefined, isEnterpriseInstall: false, userId: harness.actors.installer.userId }),
    installGlobex: () => harness.install({ team: globex, enterprise: undefined, isEnterpriseInstall: false, userId: 'U0GLOBEXADM' }),
    installGrid: () => harness.install({ team: undefined, enterprise: grid, isEnterpriseInstall: true, userId: 'U0GRIDORGAD' }),
    async answerTo(command, text, actor) {
      const response = await harness.slack.command(command, text, actor);
      if (response.status !== 200) throw new Error(`${command} ${text} answered ${response.status}`);
      if (response.json) return JSON.stringify(response.json);
      const post = await eventually(() => emulator.responsesTo(response.responseUrl ?? '').at(-1), { message: `the answer to ${command} ${text}` });
      return JSON.stringify(post.body);
    },
    novuWrites: () => harness.novu.requests.filter((request) => request.method !== 'GET').length,
  };
}
