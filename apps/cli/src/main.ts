import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { CLI_ACTOR, exitWithStartupError, loadConfig } from '#libs/common';
import { migrateDatabase, resolveDatabase } from '#libs/database';
import { ApiKeysService } from '#libs/enterprises';
import { CliModule } from './cli.module';

const USAGE = `usage: npm run cli -- <command>

commands:
  create-admin-key [--name NAME]   create an administrator API key; the key is printed alone on the last line
  help                             this text

The CLI uses the same database as \`npm start\`: DATABASE_URL if set, otherwise the embedded one under DATA_DIR.`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function createAdminKey(args: string[]): Promise<void> {
  const config = loadConfig();
  const db = await resolveDatabase(config);
  try {
    await migrateDatabase(db.url);
    const app = await NestFactory.createApplicationContext(CliModule.forRoot(config, db.url), { logger: ['error', 'warn'] });
    try {
      const created = await app.get(ApiKeysService).create({ kind: 'admin' }, option(args, '--name') ?? 'admin (CLI)', CLI_ACTOR);
      console.log(`Created admin API key ${created.id} (${created.prefix}…) in ${db.description}.`);
      console.log('Store it now: it is not shown again. Use it as `Authorization: Bearer <key>`.');
      console.log(created.key);
    } finally {
      await app.close();
    }
  } finally {
    await db.stop();
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  switch (command) {
    case 'create-admin-key':
      return createAdminKey(args);
    case undefined:
    case 'help':
    case '--help':
      console.log(USAGE);
      return;
    default:
      console.error(`unknown command '${command}'\n\n${USAGE}`);
      process.exit(2);
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error) => exitWithStartupError(error),
);
