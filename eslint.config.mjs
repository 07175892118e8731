// ESLint: a small set of rules the code already follows, each catching a real class of bug (CONTRIBUTING.md, "Lint and format").
// Formatting is Prettier's job (`npm run format`); ESLint checks no layout.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'coverage/**'] },
  {
    files: ['**/*.ts'],
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: {
      parser: tseslint.parser,
      // Typed rules through the project service: one TypeScript program for the whole tree (tsconfig.json).
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      // A promise nobody awaits loses its rejection (an unhandled rejection kills the process) and its ordering.
      '@typescript-eslint/no-floating-promises': 'error',
      // An async function passed where a void callback is expected (e.g. setTimeout, EventEmitter.on) loses its rejection too.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // `import type` for type-only imports: they are erased, so a pure module can name a Nest-side type without loading Nest.
      // (Decorator metadata needs the classes of injected parameters at run time: `fixStyle` keeps those as values.)
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'separate-type-imports', disallowTypeAnnotations: false }],
      // require() is untyped and bypasses the import rules above: import, or say in a disable comment why not.
      '@typescript-eslint/no-require-imports': 'error',
      'no-control-regex': 'error',
      'no-var': 'error',
      'prefer-const': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
);
