import type { HomeAbilities, HomeData } from '../../../src/features/home/messages.js';
import * as home from '../../../src/features/home/messages.js';
import * as tenants from '../../../src/features/tenants/messages.js';
import { md } from '../../../src/slack/mrkdwn.js';
import type { Hostile, ModuleCoverage } from './kit.js';
import { at, audit, connection, ids, linkRequest, owned, owneds, tenant } from './records.js';
import { pendingNumberRequests } from './requests.js';

const statuses = ['pending', 'approved', 'denied'] as const;

const homeData = (h: Hostile): HomeData => ({
  workspaceName: h.text(),
  novuConfigured: true,
  ask: md`Ask ${h.text()}.`,
  connection: connection(h),
  endpoints: owneds(h),
  numbers: [
    {
      backend: 'vapi',
      vendorId: h.text(),
      workspaceKey: 'team:T1',
      number: h.text(),
      sipUri: null,
      name: h.text(),
      status: h.text(),
      createdBy: ids.user,
      createdAt: at,
      updatedAt: at,
    },
    {
      backend: 'signalwire',
      vendorId: h.text(),
      workspaceKey: 'team:T1',
      number: null,
      sipUri: h.text(),
      name: null,
      status: null,
      createdBy: h.text(),
      createdAt: at,
      updatedAt: at,
    },
  ],
  audit: [audit(h), audit(h, false)],
  routes: owneds(h),
  ownLink: owned(h, 'slack_user'),
  linkRequests: [linkRequest(h, 'pending'), linkRequest(h, 'pending', false)],
  jobs: {
    counts: { pending: 1, running: 0, done: 2, dead: 2 },
    dead: [{ job: { id: h.text(), kind: h.text(), attempts: 3, lastError: h.text() } as never, tenant: h.text(), label: h.text() }],
  },
  pendingTenants: [tenant(h, 'pending'), tenant(h, 'pending', false)],
  numberRequests: pendingNumberRequests(h),
  unposted: { count: 2, latest: [] },
  delivery: {
    context: [`tenant:${h.text()}`],
    check: { context: [h.text()], connection: { kind: 'write-failed', detail: h.text() }, endpoints: 3, findings: [], more: 1, checkedAt: at },
  },
});

const abilities = (value: boolean): HomeAbilities => ({
  manageConnection: value,
  writeEndpoints: value,
  provisionVapi: value,
  provisionSignalWire: value,
  decideNumberRequests: value,
  releaseNumbers: value,
  changeNumbers: value,
  reportNumbers: value,
  readAudit: value,
  readEndpoints: value,
  readNumbers: value,
  manageJobs: value,
  readRoutes: value,
  writeRoutes: value,
  linkSelf: value,
  testDelivery: value,
});

export const homeCoverage: ModuleCoverage[] = [
  {
    path: 'features/home/messages.ts',
    module: home,
    builders: {
      homeView: (h) => [
        home.homeView(homeData(h), abilities(true)),
        home.homeView(homeData(h), abilities(false)),
        home.homeView(
          { ...homeData(h), novuConfigured: false, connection: undefined, endpoints: [], numbers: [], routes: [], ownLink: undefined },
          abilities(true),
        ),
      ],
    },
  },
  {
    path: 'features/tenants/messages.ts',
    module: tenants,
    builders: {
      tenantLabel: (h) => [tenants.tenantLabel(tenant(h, 'pending')), tenants.tenantLabel({ name: null, slackId: h.text(), kind: 'team' })],
      approvalRequestBlocks: (h) => [tenants.approvalRequestBlocks(tenant(h, 'pending'), h.text()), tenants.approvalRequestBlocks(tenant(h, 'pending', false))],
      approvalRequestMessage: (h) => [
        tenants.approvalRequestMessage(tenant(h, 'pending')),
        tenants.approvalRequestMessage({ ...tenant(h, 'pending'), name: null }),
      ],
      decisionMessage: (h) => statuses.flatMap((status) => [tenants.decisionMessage(tenant(h, status)), tenants.decisionMessage(tenant(h, status, false))]),
      notApprovedMessage: (h) => [tenants.notApprovedMessage(tenant(h, 'denied')), tenants.notApprovedMessage(undefined)],
      notApprovedView: (h) => [tenants.notApprovedView(tenant(h, 'denied')), tenants.notApprovedView(undefined)],
      notApprovedHome: (h) => [tenants.notApprovedHome(tenant(h, 'denied')), tenants.notApprovedHome(undefined)],
      installerDecisionMessage: (h) =>
        statuses.flatMap((status) => [
          tenants.installerDecisionMessage(tenant(h, status), h.text()),
          tenants.installerDecisionMessage(tenant(h, status), undefined),
        ]),
      pendingTenantsSection: (h) => [tenants.pendingTenantsSection(Array.from({ length: 12 }, (_, index) => tenant(h, 'pending', index % 2 === 0)))],
    },
  },
];
