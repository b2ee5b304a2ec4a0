/** Roles and what each may do. Later areas add their permissions here, as data. */

export const ROLES = ['viewer', 'responder', 'engineer', 'approver', 'auditor', 'admin', 'integration'] as const;

export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'catalogue:read',
  'catalogue:reload',
  'tokens:read',
  'tokens:manage',
  'ledger:read',
  'ledger:manage',
  'slo:read',
  'slo:ingest',
  'alerts:read',
  'alerts:ingest',
  'incidents:read',
  'incidents:respond',
  'changes:read',
  'changes:request',
  'changes:approve',
  'gate:check',
  'deployments:record',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

const READ_ONLY: ReadonlyArray<Permission> = [
  'catalogue:read',
  'slo:read',
  'alerts:read',
  'incidents:read',
  'changes:read',
  'gate:check',
];
const RESPONDS: ReadonlyArray<Permission> = [...READ_ONLY, 'incidents:respond'];

/** Integration tokens may only deliver to the one webhook they are scoped to; they read nothing. */
export const ROLE_PERMISSIONS = {
  viewer: READ_ONLY,
  responder: RESPONDS,
  engineer: [...RESPONDS, 'slo:ingest', 'alerts:ingest', 'changes:request', 'deployments:record'],
  approver: [...READ_ONLY, 'changes:approve'],
  auditor: [...READ_ONLY, 'tokens:read', 'ledger:read'],
  admin: PERMISSIONS,
  integration: [],
} as const satisfies Readonly<Record<Role, ReadonlyArray<Permission>>>;

export function isRole(value: string): value is Role {
  return (ROLES as ReadonlyArray<string>).includes(value);
}

export function roleAllows(role: Role, permission: Permission): boolean {
  return (ROLE_PERMISSIONS[role] as ReadonlyArray<Permission>).includes(permission);
}
