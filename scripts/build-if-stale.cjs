#!/usr/bin/env node
// Builds `dist` only when a source changed since the last build, so that `npm run cli -- decode …` and `npm start`
// do not pay the TypeScript build (several seconds) on every call. A build writes dist/.build-stamp; the build is
// stale when any file under the compiled folders, or a tsconfig, package.json or package-lock.json, is newer than
// the stamp (or the stamp is missing). `--check` prints `fresh` or `stale` and exits 0 or 1 without building;
// `--force` builds whatever the stamp says (`npm run build`).
'use strict';
const { spawnSync } = require('node:child_process');
const { mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const SOURCE_DIRS = ['apps', 'libs', 'migrations', 'bench'];
const SOURCE_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'];
const STAMP = join('dist', '.build-stamp');

/** The newest modification time (ms) of the sources under `root`. */
function newestSource(root = ROOT) {
  let newest = 0;
  const visit = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules') visit(p);
      } else if (e.name.endsWith('.ts') || e.name.endsWith('.json')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of SOURCE_DIRS) visit(join(root, d));
  for (const f of SOURCE_FILES) {
    try {
      newest = Math.max(newest, statSync(join(root, f)).mtimeMs);
    } catch {
      // absent: nothing to compare
    }
  }
  return newest;
}

/** True when dist must be rebuilt. */
function isStale(root = ROOT) {
  let stamp;
  try {
    stamp = statSync(join(root, STAMP)).mtimeMs;
  } catch {
    return true;
  }
  return newestSource(root) > stamp;
}

function build(root = ROOT) {
  // The stamp is written before the build starts: a source edited during the build is then newer than it.
  mkdirSync(join(root, 'dist'), { recursive: true });
  const started = new Date();
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
  writeFileSync(join(root, STAMP), `${started.toISOString()}\n`);
  utimesSync(join(root, STAMP), started, started);
}

module.exports = { isStale, newestSource, STAMP };

if (require.main === module) {
  if (process.argv.includes('--check')) {
    const stale = isStale();
    console.log(stale ? 'stale' : 'fresh');
    process.exit(stale ? 1 : 0);
  }
  if (process.argv.includes('--force') || isStale()) build();
}
