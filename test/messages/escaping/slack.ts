import * as audit from '../../../src/audit/messages.js';
import * as failures from '../../../src/features/failure-messages.js';
import * as checks from '../../../src/features/routes/slack-checks.js';
import type { Action } from '../../../src/permissions/policy.js';
import * as blocks from '../../../src/slack/blocks.js';
import { type CommandSpec, commandCatalog } from '../../../src/slack/commands/catalog.js';
import * as commands from '../../../src/slack/commands/messages.js';
import { md, mentionChannel } from '../../../src/slack/mrkdwn.js';
import * as share from '../../../src/slack/share.js';
import type { Hostile, ModuleCoverage } from './kit.js';
import { audit as auditEntry, ids, vendorFailure } from './records.js';

/** A command whose every word is hostile (the catalog is ours, but the help must not trust it either). */
const spec = (h: Hostile): CommandSpec => ({
  name: h.text(),
  description: h.text(),
  defaultSubcommand: h.text(),
  subcommands: [{ name: h.text(), args: h.text(), summary: h.text(), examples: [h.text()], action: 'endpoints.read' as Action }],
});

const view = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'x' }, blocks: [] };

export const slackCoverage: ModuleCoverage[] = [
  {
    path: 'features/failure-messages.ts',
    module: failures,
    builders: {
      failureSentence: (h) => [failures.failureSentence(h.text()), failures.failureSentence(vendorFailure(h))],
      failureDetails: (h) => [failures.failureDetails(vendorFailure(h)), failures.failureDetails(h.text()), failures.failureDetails(undefined)],
      failureBlocks: (h) => [failures.failureBlocks(md`:x: ${h.text()} `, vendorFailure(h)), failures.failureBlocks(md`:x: `, h.text())],
      lastAnswerDetails: (h) => [failures.lastAnswerDetails(vendorFailure(h)), failures.lastAnswerDetails(h.text()), failures.lastAnswerDetails(undefined)],
    },
  },
  {
    path: 'slack/commands/messages.ts',
    module: commands,
    builders: {
      helpMessage: (h) => [...commandCatalog.map((command) => commands.helpMessage(command)), commands.helpMessage(spec(h), h.text(), md`${h.text()}`)],
      unknownSubcommandMessage: (h) => [commands.unknownSubcommandMessage(spec(h), h.text(), h.text(), h.text())],
      backendOffMessage: () => [commands.backendOffMessage(['novu', 'vapi', 'signalwire'])],
      checkingView: () => [commands.checkingView()],
      refusedView: (h) => [commands.refusedView(h.text())],
      refusalMessage: (h) => [commands.refusalMessage(h.text())],
      notSavedMessage: (h) => [commands.notSavedMessage(h.text())],
      unexpectedErrorMessage: (h) => [commands.unexpectedErrorMessage(h.text()), commands.unexpectedErrorMessage(undefined)],
      notInstalledMessage: (h) => [commands.notInstalledMessage(h.text())],
      storeUnavailableMessage: () => [commands.storeUnavailableMessage()],
    },
    notBuilders: { usageLine: 'plain words, which the help puts in code' },
  },
  {
    path: 'audit/messages.ts',
    module: audit,
    builders: {
      auditChannelLine: (h) => [audit.auditChannelLine(auditEntry(h)), audit.auditChannelLine(auditEntry(h, false))],
      auditListLine: (h) => [
        audit.auditListLine(auditEntry(h)),
        audit.auditListLine(auditEntry(h, false)),
        // Known actions read their target and detail into the sentence: each a person's or a vendor's text.
        ...['endpoint.register', 'route.create', 'subscriber.phone', 'phone.csv.check', 'number.create', 'connection.setup'].flatMap((action) =>
          (['ok', 'queued', 'refused', 'not-found'] as const).map((outcome) =>
            audit.auditListLine({
              ...auditEntry(h),
              action,
              outcome,
              detail: { number: h.text(), phone: h.text(), channel: h.text(), user: h.text(), ready: 1 },
            }),
          ),
        ),
      ],
    },
  },
  {
    // Found by its exports, not its name: the messages whose text is their one section.
    path: 'slack/blocks.ts',
    module: blocks,
    only: true,
    builders: {
      sectionMessage: (h) => [blocks.sectionMessage(md`:x: ${h.text()}`)],
      sectionEphemeral: (h) => [blocks.sectionEphemeral(md`:no_entry: ${h.text()}`)],
    },
  },
  {
    path: 'slack/share.ts',
    module: share,
    only: true,
    builders: {
      withShareNote: (h) => [
        share.withShareNote(view, { shared: true, channelId: ids.channel }),
        share.withShareNote(view, { shared: true, channelId: h.text() }),
        share.withShareNote(view, { shared: false, reason: h.text() }),
      ],
    },
  },
  {
    path: 'features/routes/slack-checks.ts',
    module: checks,
    only: true,
    builders: {
      describePostFailure: (h) =>
        ['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action', h.text()].map((code) =>
          checks.describePostFailure(code, mentionChannel(h.text())),
        ),
    },
  },
];
