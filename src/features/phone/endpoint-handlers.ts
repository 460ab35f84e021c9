import { z } from 'zod';
import type { NovuClient } from '../../backends/novu/client.js';
import { isNovuNotFound } from '../../backends/novu/explain.js';
import type { ChannelEndpoint } from '../../backends/novu/schemas.js';
import type { Actor } from '../../slack/actor.js';
import { selectOption } from '../../slack/blocks.js';
import { refusalMessage } from '../../slack/commands/messages.js';
import type { CommandRouter } from '../../slack/commands/router.js';
import type { ButtonArgs, SlackListeners, ViewSubmissionArgs } from '../../slack/listener-table.js';
import { showInForm, toldInForm } from '../../slack/replies.js';
import { commandOrigin, originOf, sharedOrigin, withShareNote } from '../../slack/share.js';
import { submissionIntent, withResolvedOptions } from '../../slack/view-state.js';
import type { OwnedEndpoint } from '../../store/types.js';
import type { NovuScope } from '../../tenancy/novu-scope.js';
import { parseJsonAs } from '../../util/json.js';
import { withSuffixes } from '../delivery/actions.js';
import type { PhoneDeps } from '../deps.js';
import { endpointIdentifierPattern } from '../endpoint-writer.js';
import { integrationOptions } from '../integration-options.js';
import { EndpointJobs } from './endpoint-jobs.js';
import {
  endpointDeletedMessage,
  endpointListMessage,
  endpointRegisteredMessage,
  endpointSharedMessage,
  listUsage,
  maxSubscriberIdLength,
  phoneActions,
  registeredView,
  registeringView,
  registerModal,
  registerView,
  removalResult,
  removePrompt,
  removeUsage,
  stillWorkingView,
} from './messages.js';
import { fieldOfFailure, prefillFromArgs, readRegistration } from './register-form.js';
import type { SubscriberPhones } from './subscriber-phone.js';

const pageSize = 10;

/** `/phone register`, `list` and `remove`: Novu phone endpoints. */
export class EndpointHandlers {
  /** The register and remove jobs; the CSV import queues its rows as register jobs too. */
  readonly jobs: EndpointJobs;

  constructor(
    private readonly services: PhoneDeps,
    private readonly novu: NovuClient,
    private readonly scope: NovuScope,
    phones: SubscriberPhones,
  ) {
    this.jobs = new EndpointJobs(services, novu, scope, phones, { registered: endpointRegisteredMessage, deleted: endpointDeletedMessage });
  }

  register(app: SlackListeners, router: CommandRouter): void {
    router.on('phone', 'register', (request) =>
      request.openModal(registerModal({ ...prefillFromArgs(request.args), origin: commandOrigin(request.body) }, this.services.config.defaultPhoneRegion)),
    );
    router.on('phone', 'list', async ({ args: [subscriberId], actor, respond }) => {
      const tooLong = subscriberId !== undefined && subscriberId.length > maxSubscriberIdLength;
      await respond(tooLong ? listUsage() : await this.endpointPage(actor, { subscriberId, page: 1 }));
    });
    router.on('phone', 'remove', async ({ args: [identifier], respond }) => {
      await respond(identifier && endpointIdentifierPattern.test(identifier) ? removePrompt(identifier) : removeUsage(identifier));
    });

    const write = { may: 'endpoints.write' } as const;
    app.view(registerView.callbackId, { ...write, field: registerView.subscriber.block }, (args: ViewSubmissionArgs) => this.submitRegister(args));
    // Only for who may use the form they fill: anyone else gets no options.
    app.options(registerView.integration.action, write, async ({ ack, payload }) =>
      ack({ options: await integrationOptions(this.services, 'phone', payload.value) }),
    );
    app.options(registerView.connection.action, write, async ({ ack, payload, actor }) => {
      const integration = payload.view?.state.values[registerView.integration.block]?.[registerView.integration.action]?.selected_option?.value;
      await ack({ options: await this.connectionOptions(actor, integration, payload.value) });
    });
    app.action(/^phone\.remove(:\d+)?$/, { ...write, owns: { record: 'endpoint', in: 'value' } }, (args: ButtonArgs) => this.clickRemove(args));
    app.action(phoneActions.more, { may: 'endpoints.read' }, async ({ action, respond, actor }: ButtonArgs) => {
      await respond({ replace_original: true, ...(await this.endpointPage(actor, parseJsonAs(listCursor, action.value ?? '{}') ?? { page: 1 })) });
    });
    app.action(withSuffixes(phoneActions.registerNumber), { ...write, opensForm: true }, async ({ body, client, action }: ButtonArgs) => {
      const view = registerModal({ number: action.value }, this.services.config.defaultPhoneRegion);
      // From a provisioning result (a modal) the form stacks on top; from a message it opens.
      await client.views[body.view?.type === 'modal' ? 'push' : 'open']({ trigger_id: body.trigger_id, view });
    });
  }

  private async submitRegister({ ack, view, client, actor }: ViewSubmissionArgs): Promise<void> {
    const values = await withResolvedOptions(view.state.values, {
      [registerView.integration.action]: async () => (await this.services.integrations?.identifiers()) ?? [],
      [registerView.connection.action]: async () => (await this.services.store.connections.list()).map((connection) => connection.identifier),
    });
    const read = readRegistration(values, this.services.config.defaultPhoneRegion, { tenant: actor.tenant, scope: this.scope });
    if ('errors' in read) return ack({ response_action: 'errors', errors: read.errors });
    const connectionProblem = await this.jobs.connectionProblem(actor.tenant, actor.userId, read.body.connectionIdentifier);
    if (connectionProblem) return ack({ response_action: 'errors', errors: { [registerView.connection.block]: connectionProblem } });
    const integrationProblem = await this.services.integrations?.problem(read.body.integrationIdentifier, 'phone');
    if (integrationProblem) return ack({ response_action: 'errors', errors: { [registerView.integration.block]: integrationProblem } });
    const intent = submissionIntent(view.id, read.body);
    const accepted = await this.services.queue.storedThenTold(
      () => this.jobs.acceptRegister({ workspaceKey: actor.tenant.key, requestedBy: actor.userId, body: read.body }, intent),
      toldInForm(ack, registeringView(), registerView.subscriber.block),
    );
    if (!accepted) return;
    const outcome = await accepted.run();
    const where = { viewId: view.id, workspaceKey: actor.tenant.key, userId: actor.userId };
    // Still queued: the job's own direct message tells the result, so no fallback here.
    if (outcome.status === 'queued') return showInForm(this.services, client, where, stillWorkingView(outcome.lastError), undefined);
    const next =
      outcome.status === 'done'
        ? withShareNote(
            registeredView(outcome.result, read.body, await this.services.permissions.allows(actor, 'delivery.test', client)),
            await this.services.sharing.share(client, sharedOrigin(view), endpointSharedMessage(actor.userId, outcome.result, read.body)),
          )
        : registerModal(
            {
              ...read.prefill,
              origin: originOf(view.private_metadata),
              problem: { field: fieldOfFailure(outcome.error), text: outcome.error },
            },
            this.services.config.defaultPhoneRegion,
          );
    await showInForm(this.services, client, where, next, endpointRegisteredMessage(read.body, outcome));
  }

  /**
   * A page of the tenant's phone endpoints, from Switchboard's records (so every page is full),
   * each confirmed in Novu: one that Novu no longer has, or no longer has in this tenant's scope,
   * is left out, and a record Novu says is gone is dropped.
   */
  private async endpointPage(actor: Actor, cursor: ListCursor) {
    const shown: ChannelEndpoint[] = [];
    let after = cursor.after;
    let more = false;
    // Records Novu no longer has are dropped as they are met; read on until the page is full.
    for (let round = 0; round < 5 && shown.length < pageSize; round += 1) {
      const rows = await this.services.store.endpoints.page({
        workspaceKey: actor.tenant.key,
        types: ['phone'],
        subscriberId: cursor.subscriberId,
        after,
        limit: pageSize - shown.length + 1,
      });
      const batch = rows.slice(0, pageSize - shown.length);
      const confirmed = await Promise.all(batch.map((row) => this.confirmInNovu(actor, row)));
      shown.push(...confirmed.filter((endpoint): endpoint is ChannelEndpoint => endpoint !== undefined));
      const last = batch.at(-1);
      if (last) after = { createdAt: last.createdAt, identifier: last.identifier };
      more = rows.length > batch.length;
      if (!more) break;
    }
    const next: ListCursor | undefined = more && after ? { subscriberId: cursor.subscriberId, after, page: cursor.page + 1 } : undefined;
    return endpointListMessage({ endpoints: shown, subscriberId: cursor.subscriberId, next: next ? JSON.stringify(next) : undefined, pageNumber: cursor.page });
  }

  private async confirmInNovu(actor: Actor, row: OwnedEndpoint): Promise<ChannelEndpoint | undefined> {
    try {
      const endpoint = await this.novu.getEndpoint(row.identifier);
      return this.scope.owns(actor.tenant, endpoint.contextKeys) ? endpoint : undefined;
    } catch (error) {
      if (isNovuNotFound(error)) {
        await this.services.store.endpoints.remove(row.identifier);
        return undefined;
      }
      // Novu is unreachable: show what Switchboard recorded rather than nothing.
      return {
        identifier: row.identifier,
        type: 'phone',
        subscriberId: row.subscriberId,
        integrationIdentifier: row.integrationIdentifier,
        endpoint: { phoneNumber: row.target },
      };
    }
  }

  private async clickRemove({ action, respond, body, actor }: ButtonArgs): Promise<void> {
    const identifier = action.value ?? '';
    const payload = { workspaceKey: actor.tenant.key, requestedBy: actor.userId, identifier };
    const accepted = await this.services.queue.storedThenTold(() => this.jobs.acceptRemove(payload, `${body.container?.message_ts ?? ''}:${actor.userId}`), {
      notStored: (text) => respond({ ...refusalMessage(text), replace_original: false }),
    });
    if (!accepted) return;
    await respond({ ...removalResult(identifier, await accepted.run()), replace_original: false });
  }

  /** The tenant's own connection of that integration (operators: every tenant's, labelled), from Switchboard's records. */
  private async connectionOptions(actor: Actor, integrationIdentifier: string | undefined, query: string) {
    if (!integrationIdentifier) return [];
    const operator = this.services.permissions.isOperator(actor.userId);
    const connections = (await this.services.store.connections.list({ integrationIdentifier })).filter(
      (connection) => connection.state !== 'disconnecting' && (operator || connection.workspaceKey === actor.tenant.key),
    );
    const names = operator ? await this.services.tenants.names(connections.map((connection) => connection.workspaceKey)) : new Map<string, string>();
    const needle = query.trim().toLowerCase();
    return connections
      .map((connection) => {
        const owner = connection.workspaceKey === actor.tenant.key ? 'this workspace' : (names.get(connection.workspaceKey) ?? connection.workspaceKey);
        return { label: `${connection.identifier} (${owner})`, value: connection.identifier };
      })
      .filter((choice) => !needle || choice.label.toLowerCase().includes(needle))
      .slice(0, 100)
      .map((choice) => selectOption(choice.label, choice.value));
  }
}

/** Where a page of `/phone list` starts: after a record, for one subscriber or all. A More button's value, so what does not fit is dropped. */
const listCursor = z
  .object({
    subscriberId: z.string().optional().catch(undefined),
    after: z.object({ createdAt: z.number(), identifier: z.string() }).optional().catch(undefined),
    page: z.number().positive().catch(1),
  })
  .catch({ page: 1 });
type ListCursor = z.infer<typeof listCursor>;
