// The boundary check (tools/check-boundaries.mjs, run by `npm run lint` in CI) against small trees that each break one
// rule on purpose, and one that breaks none: every rule must be able to fail the gate, and a clean tree must pass it.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const REPO = join(__dirname, '..');

/** A lib-shaped tree: package.json maps #libs/* like the repository's, and everything here follows every rule. */
const CLEAN: Record<string, string> = {
  'package.json': JSON.stringify({
    name: 'fixture',
    private: true,
    imports: { '#libs/*': { types: './libs/*/src/index.ts', default: './libs/*/src/index.ts' } },
  }),
  'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true } }),
  'libs/identifiers/src/index.ts': "export { checkId } from './check';\n",
  'libs/identifiers/src/check.ts': 'export const checkId = (s: string): boolean => s.length === 18;\n',
  'libs/shop/src/index.ts': "export * from './shop.service';\nexport * from './domain/rules';\n",
  'libs/shop/src/shop.service.ts':
    "import { Injectable } from '@nestjs/common';\nimport { checkId } from '#libs/identifiers';\n@Injectable()\nexport class ShopService {\n  ok = checkId('x');\n}\n",
  // Pure code may name a Nest-side type: `import type` is erased and loads nothing.
  'libs/shop/src/domain/rules.ts':
    "import { checkId } from '#libs/identifiers';\nimport type { ShopService } from '../shop.service';\nexport const rule = (s: ShopService | string): boolean => typeof s === 'string' && checkId(s);\n",
  'libs/till/src/index.ts': "import { ShopService } from '#libs/shop';\nexport const till = ShopService;\n",
  'apps/api/src/main.ts': "import { till } from '#libs/till';\nexport default till;\n",
};

const BROKEN: Array<{ rule: string; why: string; files: Record<string, string> }> = [
  {
    rule: 'lib-through-index',
    why: 'a lib reaches into another lib by a relative path',
    files: { 'libs/till/src/index.ts': "import { ShopService } from '../../shop/src/shop.service';\nexport const till = ShopService;\n" },
  },
  {
    rule: 'app-through-index',
    why: "an app reaches past a lib's index",
    files: { 'apps/api/src/main.ts': "import { till } from '../../../libs/till/src/index';\nexport default till;\n" },
  },
  {
    rule: 'pure-no-framework',
    why: 'a domain folder imports @nestjs/common',
    files: { 'libs/shop/src/domain/rules.ts': "import { Injectable } from '@nestjs/common';\nexport const rule = Injectable;\n" },
  },
  {
    rule: 'pure-no-framework',
    why: 'a pure lib imports typeorm',
    files: {
      'libs/identifiers/src/check.ts': "import { Entity } from 'typeorm';\nexport const checkId = (s: string): boolean => s.length === 18 && !!Entity;\n",
    },
  },
  {
    rule: 'pure-no-framework',
    why: 'a pure lib imports pg',
    files: { 'libs/identifiers/src/check.ts': "import { Pool } from 'pg';\nexport const checkId = (s: string): boolean => s.length === 18 && !!Pool;\n" },
  },
  {
    rule: 'pure-imports-pure',
    why: 'a domain folder loads a lib index that loads Nest (as prevalidate.ts once did with #libs/enterprises)',
    files: {
      'libs/identifiers/src/check.ts':
        "import { ShopService } from '#libs/shop';\nexport const checkId = (s: string): boolean => s.length === 18 && !!ShopService;\n",
    },
  },
  {
    rule: 'pure-imports-pure',
    why: 'a domain folder loads a service of its own lib',
    files: {
      'libs/shop/src/domain/rules.ts': "import { ShopService } from '../shop.service';\nexport const rule = (s: string): boolean => s === ShopService.name;\n",
    },
  },
  {
    rule: 'no-lib-cycle',
    why: 'two libs import each other (through their indexes, with no file-level cycle)',
    files: {
      'libs/shop/src/shop.service.ts':
        "import { Injectable } from '@nestjs/common';\nimport { till } from '#libs/till';\n@Injectable()\nexport class ShopService {\n  ok = till;\n}\n",
    },
  },
  {
    rule: 'no-lib-cycle',
    why: 'a type-only import closes a cycle of three libs',
    files: {
      'libs/identifiers/src/check.ts': "import type { till } from '#libs/till';\nexport const checkId = (s: string | typeof till): boolean => s === '';\n",
    },
  },
];

let scratch: string;
beforeAll(() => {
  // Inside the repository (.data is ignored) so that node_modules resolves '@nestjs/common', 'typeorm' and 'pg' as in the real tree.
  mkdirSync(join(REPO, '.data'), { recursive: true });
  scratch = mkdtempSync(join(REPO, '.data', 'boundaries-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function check(name: string, files: Record<string, string>): { status: number | null; output: string } {
  const root = join(scratch, name);
  for (const [path, text] of Object.entries({ ...CLEAN, ...files })) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const run = spawnSync(process.execPath, [join(REPO, 'tools', 'check-boundaries.mjs'), '--root', root], { encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, output: run.stdout + run.stderr };
}

it('passes a tree that follows every rule (type-only imports from pure code included)', () => {
  const { status, output } = check('clean', {});
  expect(output).toMatch(/^Lib boundaries: ok \(\d+ modules/);
  expect(status).toBe(0);
});

it.each(BROKEN.map((b, i) => [b.rule, b.why, i] as const))('fails on %s: %s', (rule, _why, i) => {
  const { status, output } = check(`broken-${i}`, BROKEN[i].files);
  expect(status).toBe(1);
  expect(output).toContain(`  ${rule}: `);
});

it('breaks every rule of .dependency-cruiser.cjs at least once above', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the config is CommonJS, read as the checker reads it
  const config = require('../.dependency-cruiser.cjs') as { forbidden: Array<{ name: string }> };
  const rules = [...config.forbidden.map((r) => r.name), 'no-lib-cycle'];
  expect(rules.length).toBeGreaterThan(1);
  for (const rule of rules) expect(BROKEN.map((b) => b.rule)).toContain(rule);
});
