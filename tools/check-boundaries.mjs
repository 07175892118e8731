#!/usr/bin/env node
// The lib-boundary check (`npm run lint`, `npm run lint:boundaries`): dependency-cruiser with the rules in
// .dependency-cruiser.cjs (imports between libs only through #libs/<name>; pure code loads no Nest, TypeORM, pg, nor a
// lib index that does), plus one rule dependency-cruiser cannot say: no cycle between libs (lib A importing lib B
// while B, by any path, imports A), counting type-only imports too, since they tie the libs' APIs together all the same.
//
// Usage: node tools/check-boundaries.mjs [--root DIR]   (DIR defaults to the repository; the boundary spec points it at
// fixture trees). Exits 1 and lists every violation as `rule: from → to` when any rule is broken.
import { createRequire } from 'node:module';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { cruise } from 'dependency-cruiser';

const rootArg = process.argv.indexOf('--root');
const root = resolve(rootArg > 0 ? process.argv[rootArg + 1] : new URL('..', import.meta.url).pathname);
const config = createRequire(import.meta.url)('../.dependency-cruiser.cjs');

process.chdir(root);
const { output } = await cruise(
  ['libs', 'apps'].filter((dir) => existsDir(dir)),
  { ...config.options, ruleSet: { forbidden: config.forbidden }, baseDir: root, validate: true },
  undefined,
  { tsConfig: await readTsConfig(root) },
);

const violations = output.summary.violations.filter((v) => v.rule.severity === 'error').map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
violations.push(...libCycles(output.modules).map((cycle) => `no-lib-cycle: ${cycle.join(' → ')}`));

if (violations.length > 0) {
  console.error(`Lib boundaries: ${violations.length} violation(s) (rules in .dependency-cruiser.cjs, CONTRIBUTING.md)`);
  for (const v of violations) console.error(`  ${v}`);
  process.exit(1);
}
console.log(`Lib boundaries: ok (${output.summary.totalCruised} modules, ${output.summary.totalDependenciesCruised} imports)`);

/** Each cycle of the lib graph (libs/<name> → libs/<other>), one per strongly connected component, as a closed path. */
function libCycles(modules) {
  const libOf = (path) => /^libs\/([^/]+)\//.exec(path)?.[1];
  const edges = new Map();
  for (const m of modules) {
    const from = libOf(m.source);
    if (!from) continue;
    for (const d of m.dependencies) {
      const to = libOf(d.resolved);
      if (!to || to === from) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from).add(to);
    }
  }
  // Tarjan's strongly connected components: a component of more than one lib holds a cycle.
  let next = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const cycles = [];
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) cycles.push(pathThrough(new Set(component), edges));
    }
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);
  return cycles;
}

/** A closed path inside one strongly connected component, from its first lib (alphabetically) back to it. */
function pathThrough(component, edges) {
  const start = [...component].sort()[0];
  const previous = new Map([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift();
    for (const w of [...(edges.get(v) ?? [])].sort()) {
      if (!component.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = previous.get(u)) path.splice(1, 0, u);
        return [...path, start];
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [...component, start];
}

function existsDir(dir) {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

async function readTsConfig(dir) {
  const { default: extractTSConfig } = await import('dependency-cruiser/config-utl/extract-ts-config');
  return existsDir(dir) && existsFile(resolve(dir, 'tsconfig.json')) ? extractTSConfig(resolve(dir, 'tsconfig.json')) : undefined;
}

function existsFile(file) {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
