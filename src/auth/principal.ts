import type { Role } from './roles.js';

/** Who is acting. Every application call receives one; the ledger records it as the actor. */
export type Principal =
  | {
      readonly kind: 'token';
      readonly tokenId: string;
      readonly name: string;
      readonly role: Role;
      readonly scope: string | undefined;
    }
  /** Someone at the server's own shell, using the CLI against the data directory. */
  | { readonly kind: 'local'; readonly user: string }
  /** sre-agent itself: start-up, schedulers, evaluators. */
  | { readonly kind: 'system'; readonly component: string };

export function actorOf(principal: Principal): string {
  switch (principal.kind) {
    case 'token':
      return `token:${principal.name}`;
    case 'local':
      return `local:${principal.user}`;
    case 'system':
      return `system:${principal.component}`;
  }
}

export function systemPrincipal(component: string): Principal {
  return { kind: 'system', component };
}
