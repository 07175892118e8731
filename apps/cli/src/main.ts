import 'reflect-metadata';
import { createInterface } from 'node:readline';
import { NestFactory } from '@nestjs/core';
import type { EncodeFields } from '#libs/codes';
import {
  addToSummary,
  codeLine,
  decodeInput,
  encodeFields,
  FIELD_OF_SEGMENT,
  emptySummary,
  formatDecodeBlock,
  formatJsonLine,
  formatSummary,
  formatTsvLine,
  TSV_COLUMNS,
} from '#libs/codes';
import { CLI_ACTOR, exitWithStartupError, loadConfig } from '#libs/common';
import { migrateDatabase, resolveDatabase } from '#libs/database';
import { ApiKeysService, regionProblems } from '#libs/enterprises';
import { Client } from 'pg';
import { CliModule } from './cli.module';

const USAGE = `usage: npm run cli -- <command>

commands:
  create-admin-key [--name NAME]   create an administrator API key; the key is printed alone on the last line
  decode [--json] [CODE...]        decode GB/T 34014 battery codes and print their fields (no database needed).
                                   Without codes (or with -) it reads codes from stdin, one per line (a scanner
                                   export; blank lines skipped), and prints one tab-separated line per code under a
                                   header, then a summary on stderr. --json prints one JSON object per code instead.
                                   Exit status 0 if every code is valid, 1 otherwise.
  encode [--json] --manufacturer 001 --product-type C --battery-type B --spec 24 --trace 0000003 --date 2021-03-12 --serial 0221953
                                   build a code from its fields and print it (no database needed); a cascade code:
                                   --cascade --level M instead of --trace. A wrong field prints the same position errors
                                   as decode, naming the option; exit status 1.
  check-regions                    list enterprises whose registered regionCode is not a GB/T 2260 code of the
                                   current dataset (or is a retired one): tab-separated, exit status 1 if any.
                                   Nothing is changed: an administrator corrects each (PATCH /v1/enterprises/:id).
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
    await migrateDatabase(db.url, config.databaseRoles);
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

/** Reports registered regions that are not GB/T 2260 codes (written before they were checked). Returns the exit status. */
async function checkRegions(): Promise<number> {
  const config = loadConfig();
  const db = await resolveDatabase(config);
  try {
    await migrateDatabase(db.url);
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ id: string; uscc: string; name: string; region_code: string | null }>(
        'SELECT id, uscc, name, region_code FROM enterprises WHERE region_code IS NOT NULL ORDER BY uscc',
      );
      const problems = regionProblems(rows);
      if (problems.length > 0) {
        console.log(['enterprise_id', 'uscc', 'name', 'region_code', 'problem'].join('\t'));
        for (const p of problems) console.log([p.enterpriseId, p.uscc, p.name, p.regionCode, p.reason].join('\t'));
      }
      console.error(`${rows.length} registered regions checked in ${db.description}: ${problems.length} to correct`);
      return problems.length === 0 ? 0 : 1;
    } finally {
      await client.end();
    }
  } finally {
    await db.stop();
  }
}

/** Pure decoding: no configuration, no database. Returns the exit status. */
async function decode(args: string[]): Promise<number> {
  const json = args.includes('--json');
  const codes = args.filter((a) => a !== '--json');
  const now = new Date();
  const summary = emptySummary();
  if (codes.length > 0 && !(codes.length === 1 && codes[0] === '-')) {
    const blocks: string[] = [];
    for (const code of codes) {
      const item = decodeInput(code, now);
      addToSummary(summary, item);
      blocks.push(json ? formatJsonLine(item) : formatDecodeBlock(item));
    }
    console.log(blocks.join(json ? '\n' : '\n\n'));
    if (codes.length > 1) console.error(formatSummary(summary));
    return summary.invalid === 0 ? 0 : 1;
  }
  // Bulk check: streamed line by line, so an export of any size runs in constant memory.
  if (!json) process.stdout.write(`${TSV_COLUMNS.join('\t')}\n`);
  for await (const raw of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    const line = codeLine(raw);
    if (line === null) continue;
    const item = decodeInput(line, now);
    addToSummary(summary, item);
    process.stdout.write(`${json ? formatJsonLine(item) : formatTsvLine(item)}\n`);
  }
  console.error(formatSummary(summary));
  return summary.invalid === 0 ? 0 : 1;
}

const ENCODE_OPTIONS: Record<string, keyof EncodeFields> = {
  '--manufacturer': 'manufacturerCode',
  '--product-type': 'productType',
  '--battery-type': 'batteryType',
  '--spec': 'specificationCode',
  '--trace': 'traceabilityCode',
  '--date': 'productionDate',
  '--serial': 'serial',
  '--level': 'cascadeLevel',
};

/** Pure encoding: no configuration, no database. Returns the exit status. */
function encode(args: string[]): number {
  const fields: EncodeFields = { form: args.includes('--cascade') ? 'cascade' : 'original' };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--cascade' || a === '--json') continue;
    const field = ENCODE_OPTIONS[a];
    if (!field || args[i + 1] === undefined) {
      console.error(`encode: ${field ? `${a} needs a value` : `unknown option '${a}'`}\n\n${USAGE}`);
      return 2;
    }
    fields[field] = args[++i];
  }
  const result = encodeFields(fields);
  const optionOf = (field: string) => Object.keys(ENCODE_OPTIONS).find((o) => ENCODE_OPTIONS[o] === field) ?? `--${field}`;
  if (args.includes('--json')) {
    console.log(JSON.stringify(result.ok ? { ok: true, code: result.code } : { ok: false, normalised: result.normalised, errors: result.errors }));
  } else if (result.ok) {
    console.log(result.code.code);
  } else {
    console.error(`INVALID (${result.errors.length} ${result.errors.length === 1 ? 'error' : 'errors'}), built so far: ${result.normalised}`);
    for (const e of result.errors) console.error(`  ${optionOf(FIELD_OF_SEGMENT[e.segment])}: ${e.message}`);
  }
  return result.ok ? 0 : 1;
}

async function main(argv: string[]): Promise<number | void> {
  const [command, ...args] = argv;
  switch (command) {
    case 'create-admin-key':
      return createAdminKey(args);
    case 'decode':
      return decode(args);
    case 'encode':
      return encode(args);
    case 'check-regions':
      return checkRegions();
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
  (status) => process.exit(status ?? 0),
  (error) => exitWithStartupError(error),
);
