import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { type InstallURLOptions, InvalidStateError, type StateStore } from '@slack/oauth';
import type { Store } from '../../store/types.js';
import { sha256 } from '../../util/ids.js';

export type StateRejection = 'forged' | 'used' | 'expired';

/** An InvalidStateError that says why, so the failure page can tell the person what to do. */
export class RejectedStateError extends InvalidStateError {
  constructor(readonly reason: StateRejection) {
    super(
      {
        forged: 'The state was not issued by this app',
        used: 'The state has already been used',
        expired: 'The state has expired',
      }[reason],
    );
  }
}

/**
 * OAuth state kept on the server: single-use, expiring, and signed so that forged values are
 * refused before the store is asked. Works across replicas that share the store and the secret.
 * (Bolt's default state store is a stateless JWT, which cannot be single-use.)
 */
export class StoredStateStore implements StateStore {
  constructor(
    private readonly store: Store,
    private readonly secret: string,
    private readonly ttlMs = 10 * 60_000,
  ) {}

  async generateStateParam(installOptions: InstallURLOptions, now: Date): Promise<string> {
    const nonce = randomBytes(24).toString('base64url');
    const state = `${nonce}.${this.sign(nonce)}`;
    await this.store.oauthStates.create(sha256(state), JSON.stringify(installOptions), now.getTime() + this.ttlMs, now.getTime());
    return state;
  }

  async verifyStateParam(now: Date, state: string): Promise<InstallURLOptions> {
    if (!this.hasValidSignature(state)) throw new RejectedStateError('forged');
    const record = await this.store.oauthStates.consume(sha256(state));
    if (!record) throw new RejectedStateError('used');
    if (record.expiresAt < now.getTime()) throw new RejectedStateError('expired');
    return JSON.parse(record.installOptions) as InstallURLOptions;
  }

  /**
   * Why a callback without the browser cookie may have failed: Bolt checks the cookie first, and
   * clears it after a successful install, so a replayed link looks like "another browser".
   * Looks without consuming anything.
   */
  async rejectionWithoutCookie(state: string): Promise<StateRejection | undefined> {
    if (!this.hasValidSignature(state)) return 'forged';
    return (await this.store.oauthStates.exists(sha256(state))) ? undefined : 'used';
  }

  private sign(nonce: string): string {
    return createHmac('sha256', this.secret).update(nonce).digest('base64url');
  }

  private hasValidSignature(state: string): boolean {
    const [nonce, signature, ...rest] = state.split('.');
    if (!nonce || !signature || rest.length > 0) return false;
    const expected = Buffer.from(this.sign(nonce));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}
