import type { EmailLogEntry, EmailLogFilter, EmailLogStore, Page, PageRequest } from '../ports.js';

/** Reading the email log that the sender writes (SPEC §11). */
export class EmailLogs {
  constructor(private readonly store: EmailLogStore) {}

  list(tenantId: string, filter: EmailLogFilter, page: PageRequest): Promise<Page<EmailLogEntry>> {
    return this.store.list(tenantId, filter, page);
  }

  get(tenantId: string, id: string): Promise<EmailLogEntry | undefined> {
    return this.store.get(tenantId, id);
  }
}
