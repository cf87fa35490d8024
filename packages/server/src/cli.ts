import { Command } from 'commander';
import { ConfigError, loadConfig } from './config.js';
import { migrate, migrationStatus, openDatabase } from './storage/db.js';
import { readFileSync } from 'node:fs';
import { createPostern, start, type Postern } from './main.js';
import { checkDomain, createResolver } from './core/deliverability/index.js';
import { normalizeEmail } from './core/email-address.js';
import { describeChange } from './core/config-diff.js';

/** Opens Postern without listening, for one CLI command, and closes it afterwards. */
async function withPostern<T>(fn: (p: Postern) => Promise<T>): Promise<T> {
  const p = await createPostern({ ...loadConfig(), logLevel: 'silent' }, { housekeeping: false });
  try {
    return await fn(p);
  } finally {
    await p.close();
  }
}

async function tenantOf(p: Postern, id: string) {
  const t = await p.services.tenants.get(id);
  if (!t) throw new Error(`No tenant "${id}".`);
  return t;
}

function fail(err: unknown): never {
  const msg = err instanceof ConfigError ? `Configuration error: ${err.message}` : `Error: ${(err as Error)?.message ?? String(err)}`;
  process.stderr.write(msg + '\n');
  process.exit(1);
}

/** `migrate --status`: one line per migration, then a summary. */
export function formatMigrationStatus(s: Awaited<ReturnType<typeof migrationStatus>>): string {
  const width = Math.max(0, ...s.known.map((m) => m.name.length));
  const lines = s.known.map((m) => `${m.executedAt ? 'applied' : 'pending'}  ${m.executedAt ? `${m.name.padEnd(width)}  ${m.executedAt.toISOString()}` : m.name}`);
  for (const n of s.unknown) lines.push(`unknown  ${n}  (applied by a newer version of Postern)`);
  const pending = s.known.filter((m) => !m.executedAt).length;
  lines.push('', pending ? `${pending} pending: run \`postern migrate\` (or start the server) to apply them.` : 'The database is up to date.');
  return lines.join('\n') + '\n';
}

export async function runCli(argv: string[] = process.argv): Promise<void> {
  const program = new Command();
  program.name('postern').description('Postern: sign-in email for your applications').showHelpAfterError();

  program
    .command('start', { isDefault: true })
    .description('serve the API, console and hosted pages')
    .action(async () => {
      await start().catch(fail);
    });

  program
    .command('migrate')
    .description('bring the database schema up to date')
    .option('--status', 'list the applied and pending migrations without changing anything', false)
    .action(async (o: { status: boolean }) => {
      try {
        const config = loadConfig();
        const db = openDatabase(config.databaseUrl, { checkpointer: false });
        if (o.status) {
          try {
            process.stdout.write(formatMigrationStatus(await migrationStatus(db)));
          } finally {
            await db.close();
          }
          return;
        }
        const done = await migrate(db);
        await db.close();
        process.stdout.write(done.length ? `Applied: ${done.join(', ')}\n` : 'The database is up to date.\n');
      } catch (err) {
        fail(err);
      }
    });

  const adminKey = program.command('admin-key').description('manage admin API keys');
  adminKey
    .command('create')
    .description('create an admin key and print it once')
    .option('--name <name>', 'a name to recognise the key by', 'cli')
    .option('--tenant <id>', 'bind the key to one tenant (default: a system key for every tenant)')
    .action(async (o: { name: string; tenant?: string }) => {
      try {
        const p = await createPostern({ ...loadConfig(), logLevel: 'silent' });
        if (o.tenant && !(await p.services.tenants.get(o.tenant))) throw new Error(`No tenant "${o.tenant}".`);
        const k = await p.services.adminKeys.create(o.name, o.tenant ?? null);
        await p.close();
        process.stdout.write(`${k.key}\n`);
      } catch (err) {
        fail(err);
      }
    });

  adminKey
    .command('list')
    .description('list the stored admin keys: system keys, or one tenant\'s (never the keys themselves)')
    .option('--tenant <id>', "a tenant's keys instead of the system keys")
    .action(async (o: { tenant?: string }) => {
      try {
        const rows = await withPostern(async (p) => {
          const out = [];
          let cursor: string | undefined;
          do {
            const page = await p.services.stores.adminKeys.list(o.tenant ?? null, { limit: 200, ...(cursor ? { cursor } : {}) });
            out.push(...page.items);
            cursor = page.nextCursor ?? undefined;
          } while (cursor);
          return out;
        });
        for (const k of rows) process.stdout.write(`${k.id}  ${k.createdAt}  ${k.tenantId ?? '(system)'}  ${k.name}\n`);
        if (rows.length === 0) process.stdout.write(o.tenant ? `No keys for tenant "${o.tenant}".\n` : 'No stored system keys (POSTERN_ADMIN_KEY, when set, is not stored).\n');
      } catch (err) {
        fail(err);
      }
    });
  adminKey
    .command('rotate')
    .description('replace an admin key by a new one (same name and scope) and print the new key once; the old one stops working')
    .option('--id <id>', 'the key to rotate (default: the only stored system key)')
    .action(async (o: { id?: string }) => {
      try {
        const k = await withPostern(async (p) => {
          let id = o.id;
          if (!id) {
            const system = await p.services.stores.adminKeys.list(null, { limit: 2 });
            if (system.items.length !== 1) throw new Error(system.items.length === 0 ? 'There is no stored system key; create one with `postern admin-key create`.' : 'There are several system keys; name one with --id (see `postern admin-key list`).');
            id = system.items[0]!.id;
          }
          return p.services.adminKeys.rotateById(id);
        });
        process.stderr.write(`Rotated ${k.replaces} into ${k.id} (${k.tenantId ?? 'system'}, "${k.name}"). The new key, shown once:\n`);
        process.stdout.write(`${k.key}\n`);
      } catch (err) {
        fail(err);
      }
    });
  adminKey
    .command('revoke')
    .description('revoke an admin key (the last system key is kept unless POSTERN_ADMIN_KEY is set)')
    .requiredOption('--id <id>', 'the key to revoke')
    .action(async (o: { id: string }) => {
      try {
        await withPostern(async (p) => p.services.adminKeys.revokeById(o.id));
        process.stdout.write(`Revoked ${o.id}.\n`);
      } catch (err) {
        fail(err);
      }
    });

  const config = program.command('config').description('move settings between tenants (see docs/config-bundle.md)');
  config
    .command('export')
    .description("print a tenant's settings bundle as JSON")
    .option('--tenant <id>', 'the tenant', 'default')
    .option('--include-secrets', 'include connector secrets (keep the file safe)', false)
    .action(async (o: { tenant: string; includeSecrets: boolean }) => {
      try {
        const bundle = await withPostern(async (p) => p.services.bundles.export(await tenantOf(p, o.tenant), o.includeSecrets));
        process.stdout.write(JSON.stringify(bundle, null, 2) + '\n');
      } catch (err) {
        fail(err);
      }
    });
  config
    .command('import')
    .description('apply a settings bundle to a tenant')
    .argument('<file>', 'the bundle (JSON), or - for standard input')
    .option('--tenant <id>', 'the tenant', 'default')
    .option('--dry-run', 'show the changes without applying them', false)
    .option('--secrets <file>', 'a JSON file of connector secrets by field name, e.g. {"apiKey": "…"}')
    .action(async (file: string, o: { tenant: string; dryRun: boolean; secrets?: string }) => {
      try {
        const bundle = JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8')) as unknown;
        const secrets = o.secrets ? (JSON.parse(readFileSync(o.secrets, 'utf8')) as Record<string, string>) : undefined;
        const r = await withPostern(async (p) => p.services.bundles.import(await tenantOf(p, o.tenant), { bundle, secrets, dryRun: o.dryRun }));
        for (const c of r.changes) process.stdout.write(`${c.action.padEnd(6)} ${c.path}${describeChange(c)}\n`);
        for (const o of r.secrets ?? []) if (o.outcome === 'kept') process.stdout.write(`kept   ${o.path} (secret)\n`);
        process.stdout.write(r.changes.length === 0 ? 'No changes.\n' : r.applied ? `Applied ${r.changes.length} change(s).\n` : `Dry run: ${r.changes.length} change(s), nothing applied.\n`);
      } catch (err) {
        fail(err);
      }
    });

  program
    .command('check-domain')
    .description("check a sending domain's SPF, DKIM and DMARC records")
    .argument('<domain>')
    .option('--selector <s>', 'the DKIM selector to check')
    .option('--tenant <id>', "use this tenant's connector and DKIM keys", 'default')
    .action(async (domain: string, o: { selector?: string; tenant: string }) => {
      try {
        const report = await withPostern(async (p) => {
          const connector = await p.services.stores.connectors.getEmailConnector(o.tenant);
          const stored = o.selector ? await p.services.stores.dkimKeys.find(o.tenant, domain.toLowerCase(), o.selector) : undefined;
          return checkDomain({ domain, ...(o.selector ? { dkimSelector: o.selector } : {}), ...(connector ? { providerId: connector.factoryId } : {}), ...(stored ? { expectedDkimPublicKeyPem: stored.publicKeyPem } : {}), resolve: createResolver(p.services.config.dnsServers) });
        });
        for (const name of ['spf', 'dkim', 'dmarc'] as const) {
          const r = report[name];
          process.stdout.write(`${name.toUpperCase().padEnd(6)} ${r.status.toUpperCase()}${r.record ? `  ${r.record}` : ''}\n`);
          for (const i of r.issues) process.stdout.write(`       - ${i}\n`);
        }
        process.stdout.write('\nAdvice:\n' + report.advice.map((a) => `  - ${a}`).join('\n') + '\n');
        if ([report.spf, report.dkim, report.dmarc].some((r) => r.status === 'fail')) process.exitCode = 1;
      } catch (err) {
        fail(err);
      }
    });

  program
    .command('send-test')
    .description("send one test message through a tenant's email connector")
    .requiredOption('--to <address>', 'the recipient')
    .option('--tenant <id>', 'the tenant', 'default')
    .action(async (o: { to: string; tenant: string }) => {
      try {
        const out = await withPostern(async (p) => {
          await tenantOf(p, o.tenant);
          return p.services.email.sender.send({ tenantId: o.tenant, to: normalizeEmail(o.to, '--to').address, templateType: 'Generic', variables: { code: '000000', expiresInMinutes: 10 }, source: 'test' });
        });
        if (!out.ok) throw new Error(`${out.error!.code}: ${out.error!.message}${out.error!.details.providerMessage ? ` (${String(out.error!.details.providerMessage)})` : ''}`);
        process.stdout.write(`${out.status === 'captured' ? 'Captured into the mailbox' : 'Sent'} (${out.providerMessageId ?? 'no provider id'}) in ${Math.round(out.durationMs)} ms, ${out.attempts} attempt(s).\n`);
      } catch (err) {
        fail(err);
      }
    });

  await program.parseAsync(argv);
}
