import { randomUUID } from 'node:crypto';
import type { MailboxSink } from '@postern/connector-kit';
import { AppError } from './errors.js';
import type { Clock, MailboxMessage, MailboxStore, Page, PageRequest } from './ports.js';

/** The built-in service's mailbox (mail captured when it has no relay): the sink and the reads. */
export class Mailbox implements MailboxSink {
  constructor(
    private readonly store: MailboxStore,
    private readonly clock: Clock,
  ) {}

  async capture(m: {
    tenantId: string;
    to: string;
    subject: string;
    html: string;
    text: string;
    from: string;
  }): Promise<{ id: string }> {
    const id = randomUUID();
    await this.store.capture({ id, ...m, createdAt: this.clock.now().toISOString() });
    return { id };
  }

  list(tenantId: string, page: PageRequest): Promise<Page<Omit<MailboxMessage, 'html' | 'text'>>> {
    return this.store.list(tenantId, page);
  }

  async get(tenantId: string, id: string): Promise<MailboxMessage> {
    const m = await this.store.get(tenantId, id);
    if (!m) throw new AppError('mailbox.not_found');
    return m;
  }

  async clear(tenantId: string): Promise<void> {
    await this.store.clear(tenantId);
  }
}
