// Lib boundaries, checked in CI by `npm run lint` (tools/check-boundaries.mjs, which also checks that
// libs form no cycle: a lib-level rule dependency-cruiser cannot express). See CONTRIBUTING.md.
//
// Pure code is what the domain rules live in: it must run (and be unit-tested) without Nest, TypeORM or a
// database. A pure module may import node built-ins, npm packages other than the framework/database ones,
// other pure modules, and *types* from anywhere (erased at compile time, they load nothing).
const PURE = ['^libs/[^/]+/src/domain/', '^libs/[^/]+/src/rules/', '^libs/battery-code/', '^libs/identifiers/', '^libs/regions/', '^libs/calendar/'];
// Matched against the resolved path (node_modules/…, or the bare name when it does not resolve).
const FRAMEWORK = ['(^|node_modules/)@nestjs/', '(^|node_modules/)(typeorm|pg|pg-copy-streams|bullmq|ioredis)(/|$)'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'lib-through-index',
      severity: 'error',
      comment: 'A lib imports another lib only through #libs/<name> (its index.ts is its public API), never by a relative path.',
      from: { path: '^libs/([^/]+)/' },
      to: { path: '^libs/[^/]+/', pathNot: ['^libs/$1/'], dependencyTypesNot: ['aliased-subpath-import'] },
    },
    {
      name: 'app-through-index',
      severity: 'error',
      comment: 'Apps compose libs through #libs/<name> only.',
      from: { path: '^apps/' },
      to: { path: '^libs/', dependencyTypesNot: ['aliased-subpath-import'] },
    },
    {
      name: 'pure-no-framework',
      severity: 'error',
      comment: 'Pure domain code imports no @nestjs/*, typeorm, pg, bullmq or ioredis (type-only imports excepted).',
      from: { path: PURE },
      to: { path: FRAMEWORK, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'pure-imports-pure',
      severity: 'error',
      comment:
        'Pure domain code loads only other pure code: not a lib index that loads Nest (e.g. #libs/enterprises), ' +
        'nor a service, entity or module of its own lib (type-only imports excepted).',
      // Unit tests beside pure code may load what they compare against (e.g. a lib's list of statuses).
      from: { path: PURE, pathNot: '\\.spec\\.ts$' },
      to: { path: '^(libs|apps)/', pathNot: PURE, dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^dist/', '^\\.data/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['types', 'import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
  },
};
