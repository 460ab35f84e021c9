/**
 * Who may do what. Slack cannot restrict who runs a slash command, so every handler asks here.
 */
export const roles = ['everyone', 'admins', 'operators'] as const;
export type Role = (typeof roles)[number];

export const actions = {
  'connection.read': { role: 'everyone', describe: "see this workspace's Novu connection" },
  'connection.write': { role: 'admins', describe: "set up, change or disconnect this workspace's Novu connection" },
  'endpoints.read': { role: 'admins', describe: 'list phone endpoints' },
  'endpoints.write': { role: 'admins', describe: 'register or remove phone endpoints' },
  'numbers.read': { role: 'admins', describe: 'list provisioned phone numbers' },
  'numbers.provision': { role: 'operators', describe: 'provision phone numbers on Vapi and SignalWire' },
  'numbers.request': { role: 'admins', describe: 'ask an operator to provision a phone number' },
  'numbers.release': { role: 'admins', describe: 'release phone numbers provisioned for their workspace (operators: any number)' },
  'routes.read': { role: 'admins', describe: "list this workspace's Slack routes (channels and linked users)" },
  'routes.write': { role: 'admins', describe: 'route notifications to Slack channels, link Slack users to subscribers, or remove those routes' },
  'routes.link-self': { role: 'everyone', describe: 'link their own Slack account to the Novu subscriber with their email' },
  'delivery.test': {
    role: 'admins',
    describe: 'send test notifications through Novu and check whether this workspace’s routes and phone endpoints would deliver',
  },
  'audit.read': { role: 'admins', describe: 'read the audit log' },
  'jobs.manage': { role: 'operators', describe: 'see and retry queued backend writes' },
  'tenants.decide': { role: 'operators', describe: 'approve or deny workspaces that installed Switchboard', fixed: true },
} as const satisfies Record<string, { role: Role; describe: string; fixed?: true }>;

export type Action = keyof typeof actions;
export type Policy = Record<Action, Role>;

export const actionNames = Object.keys(actions) as Action[];

/** Actions whose role cannot be changed: approving tenants stays with operators whatever PERMISSIONS says. */
export const fixedActions: readonly Action[] = actionNames.filter((action) => 'fixed' in actions[action]);

/** Who each role takes in, narrowest first. */
const roleBreadth: Record<Role, number> = { operators: 0, admins: 1, everyone: 2 };

export function buildPolicy(overrides: Partial<Policy>): Policy {
  const policy = {} as Policy;
  for (const action of actionNames) policy[action] = fixedActions.includes(action) ? actions[action].role : (overrides[action] ?? actions[action].role);
  // The provisioning forms are the request forms: whoever may provision may also open them.
  if (roleBreadth[policy['numbers.provision']] > roleBreadth[policy['numbers.request']]) policy['numbers.request'] = policy['numbers.provision'];
  return policy;
}

/** Who a role takes in, in words. */
export const roleDescriptions: Record<Role, string> = {
  everyone: 'everyone in the workspace',
  admins: 'workspace admins and owners (org admins and owners for an org-wide install), and Switchboard operators',
  operators: 'Switchboard operators (the OPERATORS setting)',
};
