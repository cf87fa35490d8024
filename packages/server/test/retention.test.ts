import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { DIALECTS, startPostern, type TestPostern } from './helpers.js';

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

describe.each(DIALECTS)('retention on %s (SPEC §15)', (dialect) => {
  let p: TestPostern;
  beforeAll(async () => {
    p = await startPostern(dialect, { POSTERN_RETENTION_DAYS: '10' }, { housekeeping: false, outboxWorker: false });
  });
  afterAll(async () => {
    await p?.close();
  });

  it('deletes email logs, finished outbox rows, mailbox messages, expired limits and expired OpenID records past their window, in batches, and keeps the rest', async () => {
    const db = p.services.db.kysely;
    const log = (id: string, createdAt: string) => ({
      id,
      tenant_id: 'default',
      factory_id: 'http',
      template_type: 'Generic',
      to_address: 'a@example.test',
      subject: 's',
      status: 'sent' as const,
      provider_message_id: null,
      error_code: null,
      error_message: null,
      attempts: 1,
      duration_ms: 1,
      created_at: createdAt,
      attempt_log: null,
    });
    // More old logs than one batch, so the trim has to loop.
    await db
      .insertInto('email_logs')
      .values(Array.from({ length: 1203 }, (_, i) => log(`old-${String(i).padStart(5, '0')}`, ago(11))))
      .execute();
    await db
      .insertInto('email_logs')
      .values([log('young', ago(9))])
      .execute();
    const box = (id: string, createdAt: string) => ({
      id,
      tenant_id: 'default',
      to_address: 'a@example.test',
      from_address: 'b@example.test',
      subject: 's',
      html: '<p>x</p>',
      text: 'x',
      created_at: createdAt,
    });
    await db
      .insertInto('mailbox')
      .values([box('box-8d', ago(8)), box('box-6d', ago(6))])
      .execute();
    const row = (id: string, state: 'sent' | 'queued' | 'failed', finishedAt: string | null, createdAt: string) => ({
      id,
      tenant_id: 'default',
      state,
      source: 'api',
      template_type: 'Generic',
      to_address: 'a@example.test',
      payload: 'v1.x.y.z.w',
      guard_kind: null,
      guard_id: null,
      guard_hash: null,
      attempts: 1,
      lease_owner: null,
      lease_until: null,
      next_attempt_at: createdAt,
      not_after: createdAt,
      last_error_code: null,
      last_error_message: null,
      provider_message_id: null,
      created_at: createdAt,
      updated_at: createdAt,
      finished_at: finishedAt,
    });
    await db
      .insertInto('outbox')
      .values([
        row('ob-sent-old', 'sent', ago(12), ago(12)),
        row('ob-failed-old', 'failed', ago(11), ago(11)),
        row('ob-sent-young', 'sent', ago(2), ago(2)),
        row('ob-queued-old', 'queued', null, ago(20)),
      ])
      .execute();
    const delivery = (id: string, state: 'delivered' | 'queued', finishedAt: string | null, createdAt: string) => ({
      id,
      tenant_id: 'default',
      endpoint_id: 'wh_1',
      event_id: `evt_${id}`,
      event_type: 'email.sent',
      payload: '{}',
      state,
      attempts: 1,
      lease_owner: null,
      lease_until: null,
      next_attempt_at: createdAt,
      give_up_at: createdAt,
      last_status: 200,
      last_error: null,
      created_at: createdAt,
      updated_at: createdAt,
      finished_at: finishedAt,
    });
    await db
      .insertInto('webhook_deliveries')
      .values([
        delivery('whd-old', 'delivered', ago(12), ago(12)),
        delivery('whd-young', 'delivered', ago(2), ago(2)),
        delivery('whd-queued-old', 'queued', null, ago(20)),
      ])
      .execute();
    const now = Date.now();
    await sql`insert into rate_limits (key, points, expire) values ('gone', 1, ${now - 2 * 3_600_000}), ('recent', 1, ${now - 60_000}), ('live', 1, ${now + 60_000})`.execute(
      db,
    );

    // OpenID records: more expired ones than a batch (across models), one live, one without expiry.
    const oidc = (tenant: string, model: string, id: string, expiresAt: string | null) => ({
      tenant_id: tenant,
      model,
      id,
      payload: '{}',
      grant_id: null,
      user_code: null,
      uid: null,
      expires_at: expiresAt,
      consumed_at: null,
    });
    await db
      .insertInto('oidc_payloads')
      .values([
        ...Array.from({ length: 250 }, (_, i) => oidc('default', 'AccessToken', `at-${i}`, ago(1 / 24))),
        oidc('default', 'AuthorizationCode', 'code-old', ago(2)),
        oidc('default', 'Session', 'live', new Date(Date.now() + 3_600_000).toISOString()),
        oidc('default', 'Grant', 'forever', null),
      ])
      .execute();

    const r = await p.services.retention.run();
    expect(r).toEqual({ emailLogs: 1203, outbox: 2, mailbox: 1, rateLimits: 1, webhookDeliveries: 1, oidcPayloads: 251 });
    expect(
      (await db.selectFrom('oidc_payloads').select('id').orderBy('id').execute()).map((x) => x.id),
    ).toEqual(['forever', 'live']);
    expect((await db.selectFrom('email_logs').select('id').execute()).map((x) => x.id)).toEqual(['young']);
    expect((await db.selectFrom('mailbox').select('id').execute()).map((x) => x.id)).toEqual(['box-6d']);
    expect((await db.selectFrom('webhook_deliveries').select('id').orderBy('id').execute()).map((x) => x.id)).toEqual(['whd-queued-old', 'whd-young']);
    // A message still waiting is never trimmed, however old.
    expect((await db.selectFrom('outbox').select('id').orderBy('id').execute()).map((x) => x.id)).toEqual([
      'ob-queued-old',
      'ob-sent-young',
    ]);
    expect(
      (await sql<{ key: string }>`select key from rate_limits order by key`.execute(db)).rows.map((x) => x.key),
    ).toEqual(['live', 'recent']);
    expect(await p.services.retention.run()).toEqual({
      emailLogs: 0,
      outbox: 0,
      mailbox: 0,
      rateLimits: 0,
      webhookDeliveries: 0,
      oidcPayloads: 0,
    });
  });
});
