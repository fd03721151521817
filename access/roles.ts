/**
 * Roles and what each may do (guidelines 2a, 2e, 2f, 6b, 6d: "user level access based on the
 * role of the person accessing the system"). A permission names a capability, never a route:
 * rules.ts maps routes onto permissions, so a new route cannot widen a role by accident.
 */
export const ROLES = ['admin', 'operator', 'supervisor', 'investigator', 'analyst', 'auditor', 'service'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  /** Any signed-in principal: its own session, its own password. */
  'self',
  /** Live alerts and their verification (tactical use). */
  'alerts.view',
  'alerts.act',
  /** Close duplicate alerts in bulk, with a reason (the command centre's supervisor). */
  'alerts.supervise',
  /** Hits on past reads (list additions, imports, late deliveries), kept out of the live queue. */
  'alerts.historical',
  /** Search stored reads and view plate images, within the tactical window only (30 days). */
  'reads.tactical',
  /** Search stored reads and view images over the whole retention (case holds, up to 3 years). */
  'reads.investigate',
  /** Export data and record disseminations to other agencies and to registered owners. */
  'disseminate',
  /** Read the case registry; open, close and flag cases. */
  'cases.read',
  'cases.write',
  /** Designate users, record training, suspend, flag non-compliance. */
  'users.manage',
  /** Authorise, change and rescind camera deployments; record results and exceptions. */
  'deployments.manage',
  'deployments.read',
  /** Import hotlists (the extract). */
  'hotlist.import',
  /** Run the retention purge on demand. */
  'retention.manage',
  /** The audit log and the reports built on it. */
  'audit.read',
  'reports.read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const grants: Record<Role, readonly Permission[]> = {
  // The chief executive's designee administers the programme; searching data is not part of
  // that office, so an administrator who also investigates holds the investigator role too.
  admin: [
    'self',
    'users.manage',
    'retention.manage',
    'deployments.manage',
    'deployments.read',
    'cases.read',
    'cases.write',
    'hotlist.import',
    'reports.read',
    'disseminate',
  ],
  operator: ['self', 'alerts.view', 'alerts.act', 'reads.tactical', 'cases.read', 'deployments.read'],
  // An operator who runs the shift: works alerts, closes duplicates in bulk and reviews historical hits.
  supervisor: [
    'self',
    'alerts.view',
    'alerts.act',
    'alerts.supervise',
    'alerts.historical',
    'reads.tactical',
    'cases.read',
    'deployments.read',
  ],
  investigator: [
    'self',
    'alerts.view',
    'alerts.historical',
    'reads.tactical',
    'reads.investigate',
    'cases.read',
    'cases.write',
    'disseminate',
    'deployments.read',
  ],
  analyst: ['self', 'alerts.view', 'reads.tactical', 'reads.investigate', 'cases.read', 'cases.write', 'disseminate', 'deployments.read'],
  // Read-only oversight (guidelines 7a, 7c): sees who accessed what, never the data itself.
  auditor: ['self', 'audit.read', 'reports.read', 'deployments.read', 'cases.read'],
  // Machine clients (a CAD bridge, an extract feed) authenticate with a token, never a password.
  service: ['self', 'alerts.view', 'hotlist.import'],
};

export function permissionsOf(roles: readonly Role[]): Set<Permission> {
  return new Set(roles.flatMap((r) => grants[r] ?? []));
}

export function can(roles: readonly Role[], permission: Permission): boolean {
  return permissionsOf(roles).has(permission);
}

/**
 * Permissions that reveal ALPR data (reads, images, alerts, the extract, or the audit log
 * that quotes their queries). Holding one requires current training (2f, 5c).
 */
export const DATA_PERMISSIONS: ReadonlySet<Permission> = new Set([
  'alerts.view',
  'alerts.act',
  'alerts.supervise',
  'alerts.historical',
  'reads.tactical',
  'reads.investigate',
  'disseminate',
  'hotlist.import',
  'audit.read',
]);

/** Service accounts are token-only and cannot hold a human role, nor a human a service role. */
export function validRoleSet(roles: readonly Role[]): string | null {
  if (roles.length === 0) return 'at least one role';
  if (new Set(roles).size !== roles.length) return 'a role is listed twice';
  if (roles.includes('service') && roles.length > 1) return 'a service account holds the service role only';
  // Separation of duties: whoever audits access must not also be one of those audited for it.
  if (roles.includes('auditor') && roles.some((r) => r !== 'auditor')) return 'the auditor role cannot be combined with another role';
  return null;
}
