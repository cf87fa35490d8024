import { Command } from 'commander';
import { ConfigError, loadConfig } from './config.js';
import { migrate, openDatabase } from './storage/db.js';
import { createPostern, start } from './main.js';

function fail(err: unknown): never {
  const msg = err instanceof ConfigError ? `Configuration error: ${err.message}` : `Error: ${(err as Error)?.message ?? String(err)}`;
  process.stderr.write(msg + '\n');
  process.exit(1);
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
    .action(async () => {
      try {
        const config = loadConfig();
        const db = openDatabase(config.databaseUrl);
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

  await program.parseAsync(argv);
}
