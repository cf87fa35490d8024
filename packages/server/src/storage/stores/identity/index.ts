import type { Db } from '../../db.js';
import type { IdentityStores } from '../../../core/identity/ports.js';
import { SqlUserStore } from './users.js';
import { SqlRefreshTokenStore } from './sessions.js';
import { SqlGrantStore } from './grants.js';
import { SqlSigningKeyStore } from './signing-keys.js';
import { SqlOrganizationStore } from './organizations.js';
import { SqlDeviceStore } from './devices.js';
import './tables.js';
import { Prepared } from '../../prepared.js';

/** The identity stores over the shared database (SQLite or PostgreSQL). */
export function createIdentityStores(db: Db): IdentityStores {
  const k = db.kysely;
  const prepared = new Prepared(k, db.sqlite, db.pool);
  return {
    devices: new SqlDeviceStore(k),
    users: new SqlUserStore(k, prepared),
    refreshTokens: new SqlRefreshTokenStore(k, db.dialect, prepared),
    grants: new SqlGrantStore(k),
    signingKeys: new SqlSigningKeyStore(k),
    organizations: new SqlOrganizationStore(k),
  };
}
