import type { Outbox } from './outbox.js';
import type { SendOutcome, SendRequest } from './sender.js';

/**
 * Messages whose content the caller supplies (POST /api/messages, the hooks of other auth
 * systems, SPEC §18): each is written to the outbox, then attempted once while the caller
 * waits (SPEC §15). They carry no Postern code or invitation, so no guard; the codeless
 * window bounds how long a left-over row may still go.
 */
export class Messages {
  constructor(private readonly outbox: Outbox) {}

  async send(request: SendRequest, source: 'api' | 'integration'): Promise<SendOutcome> {
    const pending = this.outbox.prepare({ request, source, notAfter: this.outbox.codelessNotAfter() });
    await this.outbox.insert(pending);
    return this.outbox.deliverNow(pending);
  }
}
