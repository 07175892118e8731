import { mkdtempSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as semver from 'semver';
import { loadConfig, withQuietStartup } from '#libs/common';

const ROOT = join(__dirname, '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { nodeProblem, satisfies } = require('../scripts/check-node.cjs') as {
  nodeProblem(version: string, range: string): string | null;
  satisfies(v: string, range: string): boolean;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { isStale } = require('../scripts/build-if-stale.cjs') as { isStale(root: string): boolean };

describe('honest set-up', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };

  it('states a Node.js that every installed package supports (npm ci shows no EBADENGINE warning on it)', () => {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { engines?: { node?: string } | string[]; optional?: boolean }>;
    };
    // The lowest version of each line the range allows (22.x, 24.x…).
    const lowest = pkg.engines.node.split('||').map((alt) => semver.minVersion(alt.trim())!.version);
    const unsupported = Object.entries(lock.packages)
      .filter(([path, p]) => path !== '' && !p.optional && p.engines && !Array.isArray(p.engines) && p.engines.node)
      .flatMap(([path, p]) =>
        lowest
          .filter((v) => !semver.satisfies(v, (p.engines as { node: string }).node))
          .map((v) => `${path} wants ${(p.engines as { node: string }).node}, not ${v}`),
      );
    expect(unsupported).toEqual([]);
    const lowestOverall = semver.minVersion(pkg.engines.node)!.version;
    // The stated line is an LTS line that is still supported (Node 20 left LTS on 2026-04-30).
    expect(semver.major(lowestOverall)).toBeGreaterThanOrEqual(22);
  });

  it('npm start, npm test and the CLI stop on an older Node.js with a message that says what to do', () => {
    expect(nodeProblem('22.23.3', pkg.engines.node)).toBeNull();
    // The check (which has no dependency: it runs before npm ci) reads the range as semver does.
    for (const v of ['20.20.2', '22.12.0', '22.22.2', '22.22.3', '22.23.3', '23.11.0', '24.14.9', '24.15.0', '26.1.0']) {
      expect([v, satisfies(v, pkg.engines.node)]).toEqual([v, semver.satisfies(v, pkg.engines.node)]);
    }
    const problem = nodeProblem('20.20.2', pkg.engines.node);
    expect(problem).toContain(`Echelon needs Node.js ${pkg.engines.node}`);
    expect(problem).toContain('npx -y -p node@22');
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const name of ['start', 'test', 'cli']) expect(scripts[name]).toMatch(/^node scripts\/check-node\.cjs && /);
  });

  it('the CLI and npm start build only when a source changed since the last build', () => {
    const root = mkdtempSync(join(tmpdir(), 'echelon-build-'));
    mkdirSync(join(root, 'libs', 'x'), { recursive: true });
    writeFileSync(join(root, 'libs', 'x', 'a.ts'), 'export {};');
    const at = (s: number) => new Date(Date.parse('2026-01-01T00:00:00Z') + s * 1000);
    utimesSync(join(root, 'libs', 'x', 'a.ts'), at(0), at(0));
    expect(isStale(root)).toBe(true); // never built
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'dist', '.build-stamp'), '');
    utimesSync(join(root, 'dist', '.build-stamp'), at(10), at(10));
    expect(isStale(root)).toBe(false); // nothing changed since
    utimesSync(join(root, 'libs', 'x', 'a.ts'), at(20), at(20));
    expect(isStale(root)).toBe(true); // a source edited after the build
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.cli).toContain('scripts/build-if-stale.cjs && node dist/apps/cli/src/main.js');
    expect(scripts.cli).not.toContain('npm run build');
  });

  it('logs readable lines on a terminal and JSON otherwise, LOG_FORMAT overriding', () => {
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(loadConfig({}).logFormat).toBe(process.stdout.isTTY ? 'pretty' : 'json');
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
  });

  it("puts Nest's start-up chatter at debug level, so that the first line is the one that says where everything is", () => {
    const seen: [string, unknown][] = [];
    const inner = { log: (m: unknown) => seen.push(['log', m]), debug: (m: unknown) => seen.push(['debug', m]), error: () => undefined, warn: () => undefined };
    const logger = withQuietStartup(inner);
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    logger.log('Mapped {/v1/codes/:code, GET} route', 'RouterExplorer');
    logger.log('API on http://localhost:3000 …', 'Echelon');
    expect(seen).toEqual([
      ['debug', 'AppModule dependencies initialized'],
      ['debug', 'Mapped {/v1/codes/:code, GET} route'],
      ['log', 'API on http://localhost:3000 …'],
    ]);
  });
});
