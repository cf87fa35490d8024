import type { Page, PageRequest } from '../ports.js';

/** One SMTP submission credential (SPEC §18), as stored: the password only as its SHA-256. */
export interface SmtpCredentialRecord {
  id: string;
  tenantId: string;
  name: string;
  username: string;
  /** SHA-256 (hex) of the generated password. */
  passwordHash: string;
  /** Lower-case domains the envelope sender and the `From:` header may use. */
  allowedFromDomains: string[];
  maxRecipientsPerHour: number;
  createdAt: string;
}

export interface SmtpCredentialStore {
  create(r: SmtpCredentialRecord): Promise<void>;
  list(tenantId: string, page: PageRequest): Promise<Page<SmtpCredentialRecord>>;
  /** By user name across every tenant (the listener does not know the tenant before AUTH). */
  findByUsername(username: string): Promise<SmtpCredentialRecord | undefined>;
  get(id: string): Promise<SmtpCredentialRecord | undefined>;
  delete(tenantId: string, id: string): Promise<boolean>;
}
