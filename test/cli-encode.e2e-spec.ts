import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildOnce } from './support/api-process';

const ROOT = join(__dirname, '..');

/**
 * Issue 19: `npm run cli -- encode` builds a GB/T 34014 code from its fields, as POST /v1/codes/encode does, and
 * answers a wrong field with decoding's position errors named by option. The built CLI runs as an operator runs it
 * (no database needed).
 */
describe('encode (CLI)', () => {
  beforeAll(() => buildOnce(), 120_000);

  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [join(ROOT, 'dist/apps/cli/src/main.js'), ...args], { encoding: 'utf8', env: { ...process.env, ECHELON_NODE_CHECK: 'warn' } });

  it('builds the README’s original code from its fields, and decode reads the same fields back', () => {
    const r = cli(
      'encode',
      '--manufacturer',
      '001',
      '--product-type',
      'C',
      '--battery-type',
      'B',
      '--spec',
      '24',
      '--trace',
      '0000003',
      '--date',
      '2021-03-12',
      '--serial',
      '0221953',
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('001CB240000003B3C0221953');
    const decoded = cli('decode', '--json', r.stdout.trim());
    expect(decoded.status).toBe(0);
    expect(JSON.parse(decoded.stdout.trim().split('\n')[0])).toMatchObject({ ok: true });
  });

  it('builds the README’s cascade code', () => {
    const r = cli(
      'encode',
      '--json',
      '--cascade',
      '--manufacturer',
      'C01',
      '--product-type',
      'M',
      '--battery-type',
      'B',
      '--spec',
      '01',
      '--level',
      'M',
      '--date',
      '2026-02-01',
      '--serial',
      '0000007',
    );
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, code: { form: 'cascade', code: 'C01MB01G210000007RM', cascadeLevel: 'M' } });
  });

  it('names the option of a wrong field and exits 1; an unknown option exits 2 with the usage', () => {
    const wrong = cli(
      'encode',
      '--manufacturer',
      '001',
      '--product-type',
      'X',
      '--battery-type',
      'B',
      '--spec',
      '24',
      '--trace',
      '0000003',
      '--date',
      '2021-03-12',
      '--serial',
      '0221953',
    );
    expect(wrong.status).toBe(1);
    expect(wrong.stdout).toBe('');
    expect(wrong.stderr).toMatch(/^INVALID \(1 error\)/);
    expect(wrong.stderr).toMatch(/--product-type: position 4 \(productType\): 'X' is not a product-type symbol/);
    const unknown = cli('encode', '--colour', 'red');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--colour'");
  });
});
