import type { Installation } from '@slack/bolt';
import type { Compilable, CompiledQuery } from 'kysely';
import type { TokenCipher } from '../cipher.js';
import { changedAny, type Engine } from '../engine.js';
import { type WorkspaceKey, workspaceKeyOf } from '../workspace-key.js';

export interface StoredInstallation {
  workspaceKey: WorkspaceKey;
  installation: Installation;
  createdAt: number;
  updatedAt: number;
}

export interface InstallationRecords {
  /** Upsert. An older rotated token never replaces a newer one (compared by bot token expiry). */
  save(installation: Installation, now?: number): Promise<StoredInstallation>;
  /** With `userId`, the user token is that user's (or absent), as Bolt expects. */
  find(workspaceKey: WorkspaceKey, userId?: string): Promise<StoredInstallation | undefined>;
  delete(workspaceKey: WorkspaceKey): Promise<boolean>;
  /** Bot tokens of these workspaces expire before `before` (epoch ms); for scheduled rotation. */
  expiringBefore(before: number, limit: number): Promise<WorkspaceKey[]>;
  count(): Promise<number>;
}

/** Installations, with the whole Bolt installation encrypted and bound to its row. */
type FoundRow = { secret: string; created_at: number; updated_at: number };

/** A query compiled once, run with other values for its parameters. */
function precompiled(query: Compilable): { withParameters: (...parameters: unknown[]) => CompiledQuery } {
  const compiled = query.compile();
  return { withParameters: (...parameters) => ({ ...compiled, parameters }) };
}

export function installationRecords(engine: Engine, cipher: TokenCipher): InstallationRecords {
  const { db } = engine;
  const userRowKey = (workspaceKey: string, userId: string) => `${workspaceKey}/user:${userId}`;
  const findByKey = precompiled(db.selectFrom('installations').select(['secret', 'created_at', 'updated_at']).where('workspace_key', '=', '?'));

  return {
    async save(installation, now = Date.now()) {
      const workspaceKey = workspaceKeyOf(installation);
      const expiresAt = installation.bot?.expiresAt === undefined ? null : installation.bot.expiresAt * 1000;
      const row = {
        workspace_key: workspaceKey,
        team_id: installation.team?.id ?? null,
        enterprise_id: installation.enterprise?.id ?? null,
        workspace_name: (installation.isEnterpriseInstall ? installation.enterprise?.name : installation.team?.name) ?? null,
        installer_user_id: installation.user.id,
        bot_user_id: installation.bot?.userId ?? null,
        app_id: installation.appId ?? null,
        bot_expires_at: expiresAt,
        secret: cipher.encrypt(JSON.stringify(installation), workspaceKey),
        created_at: now,
        updated_at: now,
      };
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('installations')
          .values(row)
          .onConflict((conflict) =>
            conflict
              .column('workspace_key')
              .doUpdateSet((eb) => ({
                team_id: eb.ref('excluded.team_id'),
                enterprise_id: eb.ref('excluded.enterprise_id'),
                workspace_name: eb.ref('excluded.workspace_name'),
                installer_user_id: eb.ref('excluded.installer_user_id'),
                bot_user_id: eb.ref('excluded.bot_user_id'),
                app_id: eb.ref('excluded.app_id'),
                bot_expires_at: eb.ref('excluded.bot_expires_at'),
                secret: eb.ref('excluded.secret'),
                updated_at: eb.ref('excluded.updated_at'),
              }))
              // A slower writer holding an older rotated token must not overwrite a newer one.
              .where((eb) =>
                eb.or([
                  eb('installations.bot_expires_at', 'is', null),
                  eb('excluded.bot_expires_at', 'is', null),
                  eb('excluded.bot_expires_at', '>=', eb.ref('installations.bot_expires_at')),
                ]),
              ),
          )
          .execute();
        if (installation.user.token) {
          const userKey = userRowKey(workspaceKey, installation.user.id);
          await trx
            .insertInto('user_installations')
            .values({
              workspace_key: workspaceKey,
              user_id: installation.user.id,
              secret: cipher.encrypt(JSON.stringify(installation.user), userKey),
              updated_at: now,
            })
            .onConflict((conflict) =>
              conflict.columns(['workspace_key', 'user_id']).doUpdateSet((eb) => ({
                secret: eb.ref('excluded.secret'),
                updated_at: eb.ref('excluded.updated_at'),
              })),
            )
            .execute();
        }
      });
      await engine.publishInstallationChange(workspaceKey);
      const stored = await this.find(workspaceKey);
      if (!stored) throw new Error(`Installation ${workspaceKey} vanished while being saved`);
      return stored;
    },

    async find(workspaceKey, userId) {
      // Every Slack request whose installation is not cached comes here: the SQL is compiled once.
      const [row] = (await db.executeQuery<FoundRow>(findByKey.withParameters(workspaceKey))).rows;
      if (!row) return undefined;
      const installation = JSON.parse(cipher.decrypt(row.secret, workspaceKey)) as Installation;
      if (userId !== undefined && userId !== installation.user.id) {
        const userRow = await db
          .selectFrom('user_installations')
          .select('secret')
          .where('workspace_key', '=', workspaceKey)
          .where('user_id', '=', userId)
          .executeTakeFirst();
        installation.user = userRow
          ? (JSON.parse(cipher.decrypt(userRow.secret, userRowKey(workspaceKey, userId))) as Installation['user'])
          : { ...installation.user, token: undefined, refreshToken: undefined, expiresAt: undefined };
      }
      return { workspaceKey, installation, createdAt: row.created_at, updatedAt: row.updated_at } satisfies StoredInstallation;
    },

    async delete(workspaceKey) {
      const deleted = await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('user_installations').where('workspace_key', '=', workspaceKey).execute();
        return changedAny(trx.deleteFrom('installations').where('workspace_key', '=', workspaceKey));
      });
      await engine.publishInstallationChange(workspaceKey);
      return deleted;
    },

    async expiringBefore(before, limit) {
      const rows = await db
        .selectFrom('installations')
        .select('workspace_key')
        .where('bot_expires_at', 'is not', null)
        .where('bot_expires_at', '<', before)
        .orderBy('bot_expires_at')
        .limit(limit)
        .execute();
      return rows.map((row) => row.workspace_key);
    },

    async count() {
      const row = await db.selectFrom('installations').select(db.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
      return Number(row.count);
    },
  };
}
