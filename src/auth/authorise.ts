import { NotAllowedError } from '../errors/index.js';
import type { Principal } from './principal.js';
import { type Permission, roleAllows } from './roles.js';

/** Throws NotAllowedError unless the principal may do this. Local and system principals may do anything. */
export function authorise(principal: Principal, permission: Permission): void {
  if (principal.kind !== 'token') return;
  if (!roleAllows(principal.role, permission)) {
    throw new NotAllowedError(`the ${principal.role} role may not ${describe(permission)}`);
  }
}

function describe(permission: Permission): string {
  switch (permission) {
    case 'catalogue:read':
      return 'read the catalogue';
    case 'catalogue:reload':
      return 'reload the catalogue';
    case 'tokens:read':
      return 'list API tokens';
    case 'tokens:manage':
      return 'create or revoke API tokens';
    case 'ledger:read':
      return 'read the ledger, its proofs and checkpoints';
    case 'ledger:manage':
      return 'sign checkpoints, export evidence or erase restricted data';
    case 'slo:read':
      return 'read SLOs and their error budgets';
    case 'slo:ingest':
      return 'push SLI points';
    case 'alerts:read':
      return 'read alerts';
    case 'alerts:ingest':
      return 'post alerts';
    case 'incidents:read':
      return 'read incidents';
    case 'incidents:respond':
      return 'declare, update, classify or resolve incidents';
    case 'changes:read':
      return 'read change requests';
    case 'changes:request':
      return 'raise, edit, submit, start or complete change requests';
    case 'changes:approve':
      return 'approve or reject change requests';
    case 'gate:check':
      return 'ask the deployment gate for a verdict';
    case 'deployments:record':
      return 'record deployments';
  }
}
