import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for secrets at rest. Each value is bound to the row it belongs to (additional
 * authenticated data), so a ciphertext copied into another row does not decrypt.
 * Format: `v1.<key id>.<iv>.<tag>.<ciphertext>`, base64url parts.
 */
export class TokenCipher {
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('The encryption key must be 32 bytes');
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 8);
  }

  encrypt(plaintext: string, boundTo: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(boundTo));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url'));
    return ['v1', this.keyId, ...parts].join('.');
  }

  decrypt(value: string, boundTo: string): string {
    const [version, keyId, iv, tag, ciphertext] = value.split('.');
    if (version !== 'v1' || !iv || !tag || ciphertext === undefined) throw new Error('Unreadable encrypted value');
    if (keyId !== this.keyId) {
      throw new Error(`Stored secrets were encrypted with another ENCRYPTION_KEY (key id ${keyId}, current ${this.keyId})`);
    }
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(boundTo));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  }
}
