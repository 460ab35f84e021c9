import { randomBytes } from 'node:crypto';
import { TerminalJobError } from '../../jobs/queue.js';
import type { Services } from '../../services.js';
import type { NumberBackend, NumberReport, WorkspaceKey } from '../../store/types.js';
import { reportUrl } from './events.js';

export type ReportTargetDeps = Pick<Services, 'backends' | 'cipher' | 'config' | 'store'>;

/** A number to report, the channel (already checked to be the owning workspace's) and who chose it. */
export interface ReportTarget {
  backend: NumberBackend;
  vendorId: string;
  workspaceKey: WorkspaceKey;
  channelId: string;
  setBy: string;
}

/** The sealed token is bound to its number: copied to another row, it does not open. */
const secretBinding = (backend: NumberBackend, vendorId: string) => `report:${backend}:${vendorId}`;

/**
 * Makes Switchboard a number's webhook target. Vapi: a bearer credential (one per number, its token
 * sealed here) and the number's `server` naming it; SignalWire: the message handler set to LaML
 * webhooks under PUBLIC_URL, signed with the space's Signing Key. Safe to run again: a credential
 * already made is reused.
 */
export class ReportTargets {
  constructor(private readonly services: ReportTargetDeps) {}

  async attach(target: ReportTarget): Promise<NumberReport> {
    // Only the workspace that owns the number chooses its channel: anyone else's would post there with the wrong bot.
    const owned = await this.services.store.numbers.find(target.backend, target.vendorId);
    if (owned?.workspaceKey !== target.workspaceKey) {
      throw new TerminalJobError(
        'This number is not one this workspace provisioned through Switchboard: its calls and texts are reported only in the workspace that owns it.',
      );
    }
    return target.backend === 'vapi' ? this.attachVapi(target) : this.attachSignalWire(target);
  }

  /** The token Vapi sends for this number; undefined when it has none (or it cannot be opened). */
  token(report: NumberReport): string | undefined {
    try {
      return report.sealedSecret ? this.services.cipher.decrypt(report.sealedSecret, secretBinding(report.backend, report.vendorId)) : undefined;
    } catch {
      return undefined;
    }
  }

  private async attachVapi(target: ReportTarget): Promise<NumberReport> {
    const vapi = this.services.backends.vapi;
    if (!vapi) throw new TerminalJobError('Vapi is not set up: set VAPI_API_KEY');
    const number = await vapi.getPhoneNumber(target.vendorId);
    const answered = number.assistantId || number.squadId || number.workflowId;
    const url = reportUrl(this.services.config.publicUrl, 'vapi', target.vendorId);
    if (!answered && number.server?.url && number.server.url !== url) {
      throw new TerminalJobError(
        'This number is answered by your own server: reporting its calls would change who answers them. Report from your server, or have an assistant, squad or workflow answer it.',
      );
    }
    const existing = await this.services.store.numberReports.find('vapi', target.vendorId);
    const kept = existing && this.token(existing);
    const token = kept ?? randomBytes(32).toString('base64url');
    const sealedSecret = kept ? existing.sealedSecret : this.services.cipher.encrypt(token, secretBinding('vapi', target.vendorId));
    let credentialId = kept ? existing.credentialId : null;
    // Stored before Vapi hears of it: a retry after a lost answer reuses the token rather than guessing.
    await this.services.store.numberReports.set({ ...target, sealedSecret, credentialId });
    if (!credentialId) {
      const credential = await vapi.createCredential({
        provider: 'webhook',
        name: `Switchboard ${target.vendorId}`.slice(0, 40),
        authenticationPlan: { type: 'bearer', token },
      });
      credentialId = credential.id;
    }
    const report = await this.services.store.numberReports.set({ ...target, sealedSecret, credentialId });
    await vapi.setServer(target.vendorId, { url, credentialId });
    return report;
  }

  private async attachSignalWire(target: ReportTarget): Promise<NumberReport> {
    const signalwire = this.services.backends.signalwire;
    if (!signalwire) throw new TerminalJobError('SignalWire is not set up: set SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN and SIGNALWIRE_SPACE_URL');
    if (!this.services.config.signalwire?.signingKey) {
      throw new TerminalJobError("Set SIGNALWIRE_SIGNING_KEY (the space's Signing Key): without it Switchboard cannot tell SignalWire's texts from anyone's.");
    }
    const report = await this.services.store.numberReports.set({ ...target, sealedSecret: null, credentialId: null });
    await signalwire.setMessageWebhook(target.vendorId, reportUrl(this.services.config.publicUrl, 'signalwire', target.vendorId));
    return report;
  }
}
