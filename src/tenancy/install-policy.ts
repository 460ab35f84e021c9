import type { Config } from '../config/load.js';
import type { Tenant } from './tenant.js';

export type InstallDecision =
  /** `by`: the operator who installed, `allow-list`, or `open`. */
  { status: 'approved'; by: string } | { status: 'pending' } | { status: 'refused' };

/**
 * Who may install Switchboard (INSTALL_POLICY). Installs by operators and by allow-listed
 * workspaces or orgs are approved at once under every policy; the rest are approved (`open`),
 * wait for an operator (`approval`), or are refused (`allowlist`).
 */
export function decideInstall(
  install: Config['install'],
  installer: { userId: string; isOperator: boolean },
  tenant: Tenant,
  enterpriseId: string | undefined,
): InstallDecision {
  if (installer.isOperator) return { status: 'approved', by: installer.userId };
  const listed = install.allowlist.includes(tenant.id) || (enterpriseId !== undefined && install.allowlist.includes(enterpriseId));
  if (listed) return { status: 'approved', by: 'allow-list' };
  if (install.policy === 'open') return { status: 'approved', by: 'open' };
  return install.policy === 'approval' ? { status: 'pending' } : { status: 'refused' };
}
