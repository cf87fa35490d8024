import type { Services } from '../../http/context.js';
import { createIdentityStores } from '../../storage/stores/identity/index.js';
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

/** Built by main.ts once the rest of the services exist. */
export async function createIdentityServices(s: Omit<Services, 'identity'>): Promise<IdentityServices> {
  const stores = createIdentityStores(s.db);
  const keys = new SigningKeys(stores.signingKeys, s.keyring, s.clock);
  const tokens = new TokenService(keys, stores.refreshTokens, s.clock, s.config.publicUrl);
  const deps: IdentityDeps = {
    publicUrl: s.config.publicUrl,
    clock: s.clock,
    codes: s.codes.service,
    sender: s.email.sender,
    signInExperience: s.email.signInExperience,
    stores,
    passwords: new Passwords(),
    grants: new Grants(stores.grants, s.clock),
    tokens,
    emailPolicy: s.abuse.emailPolicy,
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
