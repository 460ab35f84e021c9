import type { WebClient } from '@slack/web-api';
import type { Paged } from '../../backends/paging.js';
import type { SignalWireNumber } from '../../backends/signalwire/schemas.js';
import type { VapiClient } from '../../backends/vapi/client.js';
import type { VapiNamed, VapiPhoneNumber } from '../../backends/vapi/schemas.js';
import type { Actor } from '../../slack/actor.js';
import { sectionEphemeral, selectOption } from '../../slack/blocks.js';
import type { CommandRouter } from '../../slack/commands/router.js';
import type { ButtonArgs, SlackListeners, SuggestionArgs } from '../../slack/listener-table.js';
import type { NumberBackend } from '../../store/types.js';
import type { NumberDeps } from '../deps.js';
import { type ListNote, type ListPart, numbersMorePattern, readMoreValue, unknownPart } from './list-paging.js';
import { type NumbersOverview, numbersMessage } from './messages.js';
import { sipView } from './sip-fields.js';
import { describeTelephonyFailure } from './telephony.js';

/** Pages of each vendor's list `/phone numbers` reads at most (a hundred numbers a page). */
export const numberPagesRead = 10;

type Abilities = Pick<NumbersOverview, 'mayRelease' | 'mayRegister' | 'mayChange' | 'mayReport'>;

/** What a vendor's list came to: the numbers shown, or why there are none, and how far it was read. */
type Listing<T> = { list: T[] | { error: string }; note?: ListNote };

/**
 * `/phone numbers` and its "Show more", and the assistant and squad pickers of the Vapi number
 * form: each reads the vendors' lists page by page.
 */
export class NumberListHandlers {
  constructor(private readonly services: NumberDeps) {}

  register(app: SlackListeners, router: CommandRouter): void {
    router.on('phone', 'numbers', async ({ respond, actor, client }) => {
      await respond(numbersMessage(await this.overview(actor, await this.abilities(actor, client))));
    });
    app.action(numbersMorePattern, { may: 'numbers.read' }, (args: ButtonArgs) => this.showMore(args));
    // The account's assistants and squads are the operators' to choose from: someone who may only ask sees none.
    const provision = { may: 'numbers.provision' } as const;
    app.options(sipView.assistant, provision, (args: SuggestionArgs) => this.suggest(args, (vapi, text) => vapi.findAssistants(text)));
    app.options(sipView.squad, provision, (args: SuggestionArgs) => this.suggest(args, (vapi, text) => vapi.findSquads(text)));
  }

  /** The next part of one vendor's list, in place of the part shown; the lists are read again, as they are now. */
  private async showMore({ action, actor, client, respond }: ButtonArgs): Promise<void> {
    const part = readMoreValue(action.value);
    if (!part) return void (await respond({ ...sectionEphemeral(unknownPart), replace_original: false }));
    const overview = await this.overview(actor, await this.abilities(actor, client), part);
    await respond({ ...numbersMessage(overview), replace_original: true });
  }

  /**
   * What the person may do from the list: release a number, register one for a subscriber (which
   * needs Novu), change one in place (or ask to: the change form opens as a request for those who may
   * only ask), choose where its calls and texts are reported.
   */
  private async abilities(actor: Actor, client: WebClient): Promise<Abilities> {
    const { permissions, backends, novuScope } = this.services;
    const [mayRelease, mayRegister, mayChange, mayReport] = await Promise.all([
      permissions.allows(actor, 'numbers.release', client),
      backends.novu && novuScope ? permissions.allows(actor, 'endpoints.write', client) : false,
      permissions.allows(actor, 'numbers.request', client),
      permissions.allows(actor, 'numbers.provision', client),
    ]);
    return { mayRelease, mayRegister, mayChange, mayReport };
  }

  /**
   * The account's assistants or squads whose name contains what was typed, for a picker (at most
   * Slack's 100 options). A page after the first that fails leaves the matches read before it.
   */
  private async suggest({ ack, payload }: SuggestionArgs, find: (vapi: VapiClient, text: string) => Promise<Paged<VapiNamed>>): Promise<void> {
    const vapi = this.services.backends.vapi;
    if (!vapi) return ack({ options: [] });
    try {
      const found = await find(vapi, payload.value);
      if (found.error) this.services.logger.warn({ error: found.error }, 'Vapi stopped answering while a picker searched its assistants or squads');
      await ack({ options: found.items.slice(0, 100).map((item) => selectOption(item.name || item.id, item.id)) });
    } catch (error) {
      this.services.logger.warn({ err: error }, 'could not load Vapi assistants or squads for a picker');
      await ack({ options: [] });
    }
  }

  /**
   * The tenant's numbers (those Switchboard provisioned for it), as the vendors see them now, with
   * the tenant's phone endpoints. Operators see every number of the vendor accounts, each labelled
   * with the workspace that owns it. A workspace's walk stops once its own numbers were all seen.
   */
  private async overview(actor: Actor, may: Abilities, part?: ListPart): Promise<NumbersOverview> {
    const { backends, store, permissions, tenants } = this.services;
    const operator = permissions.isOperator(actor.userId);
    const scope = operator ? undefined : actor.tenant.key;
    const [owned, registrations] = await Promise.all([
      store.numbers.list({ workspaceKey: scope, limit: 1000 }),
      store.endpoints.page({ workspaceKey: scope, types: ['phone'], limit: 1000 }),
    ]);
    const names = await tenants.names(owned.map((number) => number.workspaceKey));
    const owners = new Map(owned.map((number) => [`${number.backend}:${number.vendorId}`, names.get(number.workspaceKey) ?? number.workspaceKey]));
    const listed = async <T extends { id: string }>(
      backend: NumberBackend,
      read: (enough?: (items: readonly T[]) => boolean) => Promise<Paged<T>>,
    ): Promise<Listing<T>> => {
      const ours = new Set(owned.filter((number) => number.backend === backend).map((number) => number.vendorId));
      const allOurs = (items: readonly T[]) => items.filter((item) => ours.has(item.id)).length >= ours.size;
      try {
        const paged = await read(operator ? undefined : allOurs);
        const list = paged.items.filter((number) => operator || ours.has(number.id));
        if (paged.more === undefined && !paged.error) return { list };
        return { list, note: { read: paged.items.length, more: paged.more, error: paged.error, missing: operator ? undefined : ours.size - list.length } };
      } catch (error) {
        return { list: { error: describeTelephonyFailure(error) } };
      }
    };
    const { vapi, signalwire } = backends;
    const [vapiNumbers, signalWireNumbers] = await Promise.all([
      vapi ? listed<VapiPhoneNumber>('vapi', (enough) => vapi.listPhoneNumbers({ maxPages: numberPagesRead, enough })) : undefined,
      signalwire ? listed<SignalWireNumber>('signalwire', (enough) => signalwire.listNumbers({ maxPages: numberPagesRead, enough })) : undefined,
    ]);
    // One read for every number listed, not one per number.
    const reports = await store.numberReports.list({ workspaceKey: scope, limit: 1000 });
    return {
      reports: new Map(reports.map((report) => [`${report.backend}:${report.vendorId}`, report.channelId] as const)),
      vapi: vapiNumbers?.list,
      signalwire: signalWireNumbers?.list,
      notes: { vapi: vapiNumbers?.note, signalwire: signalWireNumbers?.note },
      part,
      registrations: registrations.map((endpoint) => ({ number: endpoint.target, subscriberId: endpoint.subscriberId })),
      owners: operator ? owners : undefined,
      ...may,
    };
  }
}
