import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../schema.js';
import { emailSourceOf, type EmailLogEntry, type EmailLogFilter, type EmailLogStore, type Page, type PageRequest } from '../../core/ports.js';
import { decodeCursor, pageOf } from '../cursor.js';
import { before } from './keyset.js';
import { prepare, Prepared, type Params, type PreparedQuery } from '../prepared.js';

type Row = Selectable<Database['email_logs']>;
const toEntry = (r: Row): EmailLogEntry => ({
  id: r.id,
  tenantId: r.tenant_id,
  factoryId: r.factory_id,
  templateType: r.template_type,
  to: r.to_address,
  subject: r.subject,
  status: r.status,
  providerMessageId: r.provider_message_id,
  error: r.error_code ? { code: r.error_code, message: r.error_message ?? '' } : null,
  attempts: Number(r.attempts),
  durationMs: Number(r.duration_ms),
  createdAt: r.created_at,
  source: emailSourceOf(r.source),
  deliveryStatus: (r.delivery_status ?? null) as EmailLogEntry['deliveryStatus'],
  attemptLog: r.attempt_log ? (JSON.parse(r.attempt_log) as EmailLogEntry['attemptLog']) : [],
});

/** The email-log insert, compiled once; the outbox store runs it beside a row's final update. */
export function emailLogInsertQuery(db: Kysely<Database>): PreparedQuery<unknown> {
  return prepare((p) =>
    db.insertInto('email_logs').values({
      id: p('id'),
      tenant_id: p('tenantId'),
      factory_id: p('factoryId'),
      template_type: p('templateType'),
      to_address: p('to'),
      subject: p('subject'),
      status: p('status'),
      provider_message_id: p('providerMessageId'),
      error_code: p('errorCode'),
      error_message: p('errorMessage'),
      attempts: p('attempts'),
      duration_ms: p('durationMs'),
      created_at: p('createdAt'),
      attempt_log: p('attemptLog'),
      source: p('source'),
    }),
  );
}

/** The insert's parameters for one entry. */
export function emailLogParams(e: EmailLogEntry): Params {
  return {
    ...e,
    errorCode: e.error?.code ?? null,
    errorMessage: e.error?.message ?? null,
    durationMs: Math.round(e.durationMs),
    attemptLog: e.attemptLog ? JSON.stringify(e.attemptLog) : null,
    source: e.source ?? 'api',
  };
}

export class SqlEmailLogStore implements EmailLogStore {
  private readonly insert;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly prepared: Prepared = new Prepared(db),
  ) {
    this.insert = emailLogInsertQuery(db);
  }

  async record(e: EmailLogEntry): Promise<void> {
    await this.prepared.run(this.insert, emailLogParams(e));
  }

  async list(tenantId: string, f: EmailLogFilter, page: PageRequest): Promise<Page<EmailLogEntry>> {
    const c = decodeCursor(page.cursor);
    let q = this.db.selectFrom('email_logs').selectAll().where('tenant_id', '=', tenantId);
    if (f.status) q = q.where('status', '=', f.status);
    if (f.templateType) q = q.where('template_type', '=', f.templateType);
    if (f.to) q = q.where('to_address', '=', f.to);
    if (f.source) q = q.where('source', '=', f.source);
    if (f.search) {
      // LIKE with its wildcards escaped, so that `_` and `%` in the search match themselves.
      const pattern = `%${f.search.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
      q = q.where(sql<boolean>`lower(to_address) like ${pattern} escape '\\'`);
    }
    if (c) q = q.where((eb) => before(eb, c));
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
    return pageOf(rows.map(toEntry), page.limit, (e) => e);
  }

  async get(tenantId: string, id: string): Promise<EmailLogEntry | undefined> {
    const row = await this.db.selectFrom('email_logs').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return row ? toEntry(row) : undefined;
  }
}
