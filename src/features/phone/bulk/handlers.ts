import { z } from 'zod';
import type { Actor } from '../../../slack/actor.js';
import type { CommandRouter } from '../../../slack/commands/router.js';
import type { ButtonArgs, SlackListeners, ViewSubmissionArgs } from '../../../slack/listener-table.js';
import { notStoredBesideClick, toldInForm } from '../../../slack/replies.js';
import { inputState, type StateValues, submissionIntent, textOf, withResolvedOptions } from '../../../slack/view-state.js';
import type { PhoneDeps } from '../../deps.js';
import { type ImportUpload, importLimits } from './dry-run.js';
import type { PhoneImports } from './import-runs.js';
import { checkingFileView, fileProblems, importActions, importModal, importView, noSuchImportMessage, reinstallView, shownFileName } from './messages.js';

/** A file_input needs `files:read`; the problems and failures files need `files:write`. */
const fileScopes = ['files:read', 'files:write'];

/** What Slack puts in a file_input's state: the uploaded files (bolt's `UploadedFile`), read as untrusted input. */
const uploadedFiles = z.array(
  z.looseObject({
    id: z.string().min(1).max(64),
    name: z.string().nullish(),
    filetype: z.string().nullish(),
    mimetype: z.string().nullish(),
    size: z.number().nullish(),
  }),
);

/** `/phone import-csv`: the form, its submission, and the dry run's Register and Cancel buttons. */
export class ImportHandlers {
  constructor(
    private readonly services: PhoneDeps,
    private readonly imports: PhoneImports,
  ) {}

  register(app: SlackListeners, router: CommandRouter): void {
    router.on('phone', 'import-csv', async (request) => {
      // Installs from before this feature lack the file scopes; Slack adds them only with a reinstall.
      const granted = (await this.services.installations.find(request.actor.tenant.key))?.installation.bot?.scopes ?? [];
      const missing = fileScopes.filter((scope) => !granted.includes(scope));
      const view = missing.length
        ? reinstallView(missing, `${this.services.config.publicUrl}/slack/install`)
        : importModal(this.services.config.defaultPhoneRegion, { maxRows: importLimits.maxRows });
      await request.openModal(view);
    });
    app.view(importView.callbackId, { may: 'endpoints.write', field: importView.file.block }, (args: ViewSubmissionArgs) => this.submit(args));
    // Register and Cancel: for who may register endpoints, at the moment of the click; only on the tenant's own runs.
    const run = { may: 'endpoints.write', owns: { record: 'phoneImport', in: 'value' } } as const;
    app.action(importActions.apply, run, (args: ButtonArgs) =>
      this.runButton(args, (actor, runId) => this.imports.confirm(actor, runId, notStoredBesideClick(this.services.bots, args))),
    );
    app.action(importActions.cancel, run, (args: ButtonArgs) => this.runButton(args, (actor, runId) => this.imports.cancel(actor, runId)));
  }

  private async submit({ ack, view, actor }: ViewSubmissionArgs): Promise<void> {
    const values = await withResolvedOptions(view.state.values as StateValues, {
      [importView.integration.action]: async () => (await this.services.integrations?.identifiers()) ?? [],
    });
    const read = readImportForm(values);
    if ('errors' in read) return ack({ response_action: 'errors', errors: read.errors });
    const integrationProblem = read.upload.defaultIntegration ? await this.services.integrations?.problem(read.upload.defaultIntegration, 'phone') : undefined;
    if (integrationProblem) return ack({ response_action: 'errors', errors: { [importView.integration.block]: integrationProblem } });
    await this.services.queue.storedThenTold(
      () => this.imports.start(actor, { ...read.upload, intent: submissionIntent(view.id, read.upload) }),
      toldInForm(ack, checkingFileView(read.upload.fileName), importView.file.block),
    );
  }

  private async runButton({ action, actor, respond }: ButtonArgs, act: (actor: Actor, runId: string) => Promise<boolean>): Promise<void> {
    const found = action.value ? await act(actor, action.value) : false;
    if (!found) await respond({ ...noSuchImportMessage(), replace_original: false }).catch(() => {});
  }
}

/** The form's file and default integration, or errors by block, before anything is fetched. */
export function readImportForm(values: StateValues): { upload: ImportUpload } | { errors: Record<string, string> } {
  const files = uploadedFiles.safeParse(inputState<{ files?: unknown }>(values, importView.file.action)?.files ?? []);
  const [file, ...more] = files.success ? files.data : [];
  const integration = textOf(inputState<{ selected_option?: { value?: unknown } }>(values, importView.integration.action)?.selected_option?.value);
  const errors: Record<string, string> = {};
  if (!file) errors[importView.file.block] = fileProblems.missing;
  else if (more.length > 0) errors[importView.file.block] = fileProblems.oneFile;
  else if (!isCsv(file)) errors[importView.file.block] = fileProblems.notCsv;
  else if ((file.size ?? 0) > importLimits.maxBytes) errors[importView.file.block] = fileProblems.tooLarge(importLimits.maxBytes);
  if (integration?.startsWith('~')) errors[importView.integration.block] = 'That integration is no longer offered by Novu: choose again.';
  if (!file || Object.keys(errors).length > 0) return { errors };
  return { upload: { fileId: file.id, fileName: shownFileName(file.name ?? undefined), ...(integration ? { defaultIntegration: integration } : {}) } };
}

/** Slack calls a .csv file's type `csv`; the extension decides when it says nothing more useful. */
function isCsv(file: { name?: string | null; filetype?: string | null }): boolean {
  return file.filetype === 'csv' || /\.csv$/i.test(file.name ?? '');
}
