#!/usr/bin/env node
// The Node.js the project states (package.json `engines`) is the one it runs on: `npm start`, `npm test` and the CLI
// check it first and stop with a message saying what to do, instead of failing later in a dependency.
// ECHELON_NODE_CHECK=warn turns the stop into a warning (at your own risk: several dependencies declare Node >= 22).
'use strict';
const { join } = require('node:path');

// No dependency: this runs before `npm ci` in CI. The range forms used by `engines`: `^X.Y.Z` and `>=X.Y[.Z]`, joined by `||`.
const parts = (v) => v.split('.').map((n) => Number.parseInt(n, 10) || 0);
const compare = (a, b) => {
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
};

/** True when `version` (X.Y.Z) is in `range`; an alternative of another form counts as not satisfied. */
function satisfies(version, range) {
  const v = parts(version);
  return range.split('||').some((alt) => {
    const a = alt.trim();
    if (a.startsWith('^')) {
      const min = parts(a.slice(1));
      return v[0] === min[0] && compare(v, min) >= 0;
    }
    if (a.startsWith('>=')) return compare(v, parts(a.slice(2))) >= 0;
    return false;
  });
}

/** A message when `version` does not satisfy `range`, else null. */
function nodeProblem(version, range) {
  if (satisfies(version, range)) return null;
  return (
    `Echelon needs Node.js ${range} (Node.js 22 LTS, or 24); this is Node.js ${version}.\n` +
    'Install Node.js 22 LTS (https://nodejs.org, nvm, or your package manager), or run the command with a Node 22 from npm:\n' +
    "  npx -y -p node@22 -c 'npm ci && npm test'\n" +
    'ECHELON_NODE_CHECK=warn makes this a warning.'
  );
}

module.exports = { nodeProblem, satisfies };

if (require.main === module) {
  const range = require(join(__dirname, '..', 'package.json')).engines.node;
  const problem = nodeProblem(process.versions.node, range);
  if (problem) {
    if (process.env.ECHELON_NODE_CHECK === 'warn') console.error(`warning: ${problem}`);
    else {
      console.error(problem);
      process.exit(1);
    }
  }
}
