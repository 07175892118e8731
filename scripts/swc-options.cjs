// The @swc options that compile the TypeScript sources when they run without a build: Jest's transform
// (jest.config.js) and worker threads started from the sources (ts-worker-hooks.cjs). One copy, so both compile alike.
'use strict';
module.exports = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
};
