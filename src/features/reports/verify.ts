import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Compares digests, so the time taken says nothing about how much of the secret was right. */
export function sameSecret(given: string | undefined, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given ?? ''), digest(expected));
}

/** Vapi's bearer plan sends `Authorization: Bearer <token>` (headerName and prefix left at their defaults). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  return sameSecret(header, `Bearer ${token}`);
}

/**
 * SignalWire's `X-SignalWire-Signature`, as compatibility-api-js `validateRequest` computes it
 * (the Twilio-compatible scheme): base64 HMAC-SHA1, keyed with the space's Signing Key, of the
 * full URL followed by each POST parameter's name and value, names sorted.
 */
export function signalWireSignature(signingKey: string, url: string, params: URLSearchParams): string {
  const names = [...new Set(params.keys())].sort();
  const data = names.reduce(
    (text, name) =>
      text +
      params
        .getAll(name)
        .map((value) => name + value)
        .join(''),
    url,
  );
  return createHmac('sha1', signingKey).update(Buffer.from(data, 'utf8')).digest('base64');
}

export function signalWireSignatureMatches(signingKey: string, url: string, params: URLSearchParams, header: string | undefined): boolean {
  return sameSecret(header, signalWireSignature(signingKey, url, params));
}

/** At most `limit` requests per `windowMs` for each key (a number): a flood from one number cannot fill the queue. */
export class RateLimit {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  allows(key: string, now = Date.now()): boolean {
    const window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      if (this.windows.size > 10_000) this.windows.clear();
      this.windows.set(key, { start: now, count: 1 });
      return true;
    }
    window.count += 1;
    return window.count <= this.limit;
  }
}
