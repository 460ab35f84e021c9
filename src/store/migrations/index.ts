import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './0001_initial.js';

/** Versioned migrations, applied in order on start. Append; never edit one that has shipped. */
const migrations: Record<string, Migration> = {
  '0001_initial': initial,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
