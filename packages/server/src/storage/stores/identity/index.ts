import type { Db } from '../../db.js';
import type { IdentityStores } from '../../../core/identity/ports.js';
import { SqlUserStore } from './users.js';
import { SqlRefreshTokenStore } from './sessions.js';
import { SqlGrantStore } from './grants.js';
import { SqlSigningKeyStore } from './signing-keys.js';
import { SqlOrganizationStore } from './organizations.js';
import './tables.js';

/** The identity stores over the shared database (SQLite or PostgreSQL). */
export function createIdentityStores(db: Db): IdentityStores {
  const k = db.kysely;
  return {
    users: new SqlUserStore(k),
    refreshTokens: new SqlRefreshTokenStore(k, db.dialect),
    grants: new SqlGrantStore(k),
    signingKeys: new SqlSigningKeyStore(k),
    organizations: new SqlOrganizationStore(k),
  };
}
