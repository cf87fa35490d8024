import type { Stores } from '../../core/ports.js';
import type { Keyring } from '../../lib/crypto.js';
import type { Db } from '../db.js';
import { SqlAdminKeyStore } from './admin-keys.js';
import { SqlConnectorStore } from './connectors.js';
import { SqlCodeStore } from './codes.js';
import { SqlDkimKeyStore } from './dkim-keys.js';
import { SqlEmailLogStore } from './email-logs.js';
import { SqlMailboxStore } from './mailbox.js';
import { SqlSettingsStore } from './settings.js';
import { SqlTemplateStore } from './templates.js';
import { SqlTenantStore } from './tenants.js';
import { SqlIntegrationStore } from './integrations.js';
import { Prepared } from '../prepared.js';

export function createStores(db: Db, keyring: Keyring): Stores {
  const k = db.kysely;
  const prepared = new Prepared(k, db.sqlite, db.pool);
  return {
    dkimKeys: new SqlDkimKeyStore(k, keyring),
    codes: new SqlCodeStore(k, db.dialect, prepared),
    tenants: new SqlTenantStore(k),
    adminKeys: new SqlAdminKeyStore(k, db.dialect),
    settings: new SqlSettingsStore(k),
    connectors: new SqlConnectorStore(k, keyring, prepared),
    fallbackConnectors: new SqlConnectorStore(k, keyring, prepared, 'email_fallback'),
    emailLogs: new SqlEmailLogStore(k, prepared),
    mailbox: new SqlMailboxStore(k),
    templates: new SqlTemplateStore(k),
    integrations: new SqlIntegrationStore(k),
  };
}
