import type { Keyring } from '../../lib/crypto.js';
import type { Clock } from '../ports.js';
import type { VerificationCodes } from '../codes/service.js';
import type { RateLimits } from '../codes/ports.js';
import type { EmailSender } from '../delivery/sender.js';
import type { SignInExperienceService } from '../sign-in-experience.js';
import type { IdentityDeps } from './context.js';
import { Grants } from './grants.js';
import { Passwords } from './passwords.js';
import type { IdentityStores } from './ports.js';
import { SigningKeys } from './signing-keys.js';
import { TokenService } from './tokens.js';
import { UserService } from './users.js';
import { OrganizationService } from './organizations.js';
import { InvitationFlows } from './flows/invitations.js';

/** The end-user side: users, flows, tokens, account, organizations (SPEC §7–10). */
export interface IdentityServices {
  /** What the flows in core/identity/flows take as their first argument. */
  deps: IdentityDeps;
  stores: IdentityStores;
  keys: SigningKeys;
  tokens: TokenService;
  users: UserService;
  organizations: OrganizationService;
  invitations: InvitationFlows;
  /** Deletes grants (MFA, registration, identity-verification tokens) that expired over `olderThanMs` ago. */
  purge(olderThanMs?: number): Promise<number>;
  close?(): Promise<void>;
}

/** What the identity side is built from (main.ts wires it). */
export interface IdentityWiring {
  stores: IdentityStores;
  keyring: Keyring;
  clock: Clock;
  publicUrl: string;
  codes: VerificationCodes;
  sender: EmailSender;
  signInExperience: SignInExperienceService;
  /** The shared rate-limit store (memory, PostgreSQL or Redis). */
  limits: Pick<RateLimits, 'hit'>;
  /** Mail written to the outbox in the same transaction as the identity records (SPEC §15). */
  mail: IdentityDeps['mail'];
  /** The tenant's email domain policy (SPEC §19), checked where an address joins an account. */
  emailPolicy?: IdentityDeps['emailPolicy'];
  /** Event webhooks out (SPEC §16). */
  events?: IdentityDeps['events'];
}

/** Built by main.ts once the rest of the services exist. */
export async function createIdentityServices(s: IdentityWiring): Promise<IdentityServices> {
  const stores = s.stores;
  const keys = new SigningKeys(stores.signingKeys, s.keyring, s.clock);
  const tokens = new TokenService(keys, stores.refreshTokens, s.clock, s.publicUrl);
  const deps: IdentityDeps = {
    publicUrl: s.publicUrl,
    clock: s.clock,
    codes: s.codes,
    sender: s.sender,
    signInExperience: s.signInExperience,
    stores,
    passwords: new Passwords(),
    grants: new Grants(stores.grants, s.clock),
    tokens,
    limits: s.limits,
    mail: s.mail,
    emailPolicy: s.emailPolicy,
    events: s.events,
  };
  return {
    deps,
    stores,
    keys,
    tokens,
    users: new UserService(deps),
    organizations: new OrganizationService(deps),
    invitations: new InvitationFlows(deps),
    /**
     * Housekeeping: expired grants, and refresh tokens an hour past their expiry (in
     * batches, yielding between them). A purged token presented again is simply invalid;
     * reuse detection (which revokes the family) covers tokens within their lifetime.
     */
    purge: async (olderThanMs = 3_600_000) => {
      const before = new Date(s.clock.now().getTime() - olderThanMs).toISOString();
      let total = await stores.grants.purge(before);
      for (;;) {
        const n = await stores.refreshTokens.purge(before, 500);
        total += n;
        if (n < 500) return total;
        await new Promise((r) => setImmediate(r));
      }
    },
  };
}
