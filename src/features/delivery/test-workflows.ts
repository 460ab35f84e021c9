import { randomUUID } from 'node:crypto';
import type { NovuClient } from '../../backends/novu/client.js';
import type { CreateWorkflowBody } from '../../backends/novu/schemas.js';
import type { Store } from '../../store/types.js';

/**
 * The workflows Test through Novu triggers, which Switchboard makes for itself in Novu on first
 * use (POST /v2/workflows), so a first test works with no setup. One per channel: a chat step
 * reaches a subscriber's Slack routes and WhatsApp numbers, an SMS step the subscriber's phone —
 * a test of one never sends the other. Their body is the test's text.
 */
export const testWorkflows = {
  chat: 'switchboard-delivery-test-chat',
  sms: 'switchboard-delivery-test-sms',
} as const;

export type TestChannel = keyof typeof testWorkflows;

export class TestWorkflows {
  private readonly ready = new Set<TestChannel>();

  constructor(
    private readonly novu: NovuClient,
    private readonly store: Store,
  ) {}

  /**
   * The workflow's id, made in Novu when it has none. Looked up first: Novu gives a taken id a
   * random suffix instead of refusing it (create-workflow generateUniqueIdentifier), so replicas
   * take a lock to make it once.
   */
  async ensure(channel: TestChannel): Promise<string> {
    const workflowId = testWorkflows[channel];
    if (this.ready.has(channel)) return workflowId;
    await this.store.withLock(`novu-test-workflow:${channel}`, async () => {
      if (await this.novu.findWorkflow(workflowId)) return;
      // A key of its own each time: Novu would replay a stored answer to a reused key for a day, even after the workflow was deleted.
      await this.novu.createWorkflow(workflowBody(channel), { idempotencyKey: `${workflowId}.${randomUUID()}`, retry: 'unsent' });
    });
    this.ready.add(channel);
    return workflowId;
  }

  /** Novu lost the workflow (someone deleted it): look again next time. */
  forget(channel: TestChannel): void {
    this.ready.delete(channel);
  }
}

function workflowBody(channel: TestChannel): CreateWorkflowBody {
  return {
    name: channel === 'chat' ? 'Switchboard delivery test (chat)' : 'Switchboard delivery test (SMS)',
    workflowId: testWorkflows[channel],
    description:
      'Made by Switchboard for Test through Novu: one step that sends the test’s text. Switchboard makes it again if it is deleted; nothing else triggers it.',
    active: true,
    steps: [{ name: channel === 'chat' ? 'Chat' : 'SMS', type: channel, controlValues: { body: '{{payload.message}}' } }],
  };
}
