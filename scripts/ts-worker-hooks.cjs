// Lets a worker thread run the project's TypeScript sources, as it does when the app itself runs from them (under
// Jest, which compiles each file with @swc/jest): preloaded with `--require` in the thread's execArgv, it resolves
// `#libs/<name>` to libs/<name>/src (as jest.config.js's moduleNameMapper does) and extension-less relative imports
// to `.ts` files, and compiles `.ts` files with @swc/core, with Jest's options (swc-options.cjs). The built app (`dist`)
// never loads this file.
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const { registerHooks } = require('node:module');
const { dirname, join, resolve } = require('node:path');
const { fileURLToPath, pathToFileURL } = require('node:url');
const { transformSync } = require('@swc/core');

const ROOT = join(__dirname, '..');
const SWC = { ...require('./swc-options.cjs'), sourceMaps: 'inline' };

/** A `.ts` file for a path written without its extension (a file, or a folder's index), or null. */
function tsFile(path) {
  for (const candidate of [path, `${path}.ts`, join(path, 'index.ts')]) {
    if (candidate.endsWith('.ts') && existsSync(candidate)) return candidate;
  }
  return null;
}

registerHooks({
  resolve(specifier, context, nextResolve) {
    const lib = /^#libs\/(.+)$/.exec(specifier);
    const parent = context.parentURL?.startsWith('file:') ? fileURLToPath(context.parentURL) : null;
    const path = lib ? join(ROOT, 'libs', lib[1], 'src') : specifier.startsWith('.') && parent?.endsWith('.ts') ? resolve(dirname(parent), specifier) : null;
    const file = path && tsFile(path);
    return file ? { url: pathToFileURL(file).href, format: 'commonjs', shortCircuit: true } : nextResolve(specifier, context);
  },
  load(url, context, nextLoad) {
    if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
    const filename = fileURLToPath(url);
    const { code } = transformSync(readFileSync(filename, 'utf8'), { ...SWC, filename });
    return { format: 'commonjs', source: code, shortCircuit: true };
  },
});
