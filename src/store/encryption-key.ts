import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Config } from '../config/load.js';
import type { Logger } from '../logging/logger.js';

/**
 * The configured ENCRYPTION_KEY; in development without one, a key kept in the data directory
 * (created on first start). Production start-up refuses to run without ENCRYPTION_KEY.
 */
export function resolveEncryptionKey(config: Config, logger: Logger): Buffer {
  if (config.encryptionKey) return config.encryptionKey;
  if (config.mode === 'production') throw new Error('ENCRYPTION_KEY is required in production');
  const dataDirectory = config.database.kind === 'sqlite' ? dirname(resolve(config.database.path)) : resolve('data');
  const file = join(dataDirectory, 'encryption.key');
  if (existsSync(file)) {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length === 32) {
      logger.warn({ file }, 'DEVELOPMENT ONLY: Slack tokens are encrypted with a key stored next to the data. Set ENCRYPTION_KEY before going to production.');
      return key;
    }
    throw new Error(`${file} does not hold a 32-byte base64 key; delete it or set ENCRYPTION_KEY`);
  }
  mkdirSync(dataDirectory, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600 });
  logger.warn(
    { file },
    '!!! DEVELOPMENT ONLY: no ENCRYPTION_KEY was set, so a new key was generated and saved next to the data. Anyone who can read that file can read the stored Slack tokens. Set ENCRYPTION_KEY (openssl rand -base64 32) before going to production. !!!',
  );
  return key;
}
