// `npm run lint`: neostandard (the style of Fastify's own code) on TypeScript, plus the type-aware
// rules that catch what the compiler lets through: a promise left floating or passed where a
// plain value is expected, an await on a non-promise, a switch that misses a case.
import neostandard, { resolveIgnoresFromGitignore } from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: resolveIgnoresFromGitignore() }),
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // tap's t.test() returns a promise that tap itself awaits, in order.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafePromises: [{ from: 'package', package: '@tapjs/core', name: 'PromiseWithSubtest' }] }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // A `default` covers the rest of a union on purpose; a switch without one must name every case.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // `void promise` is how a promise is marked as deliberately not awaited.
      'no-void': ['error', { allowAsStatement: true }]
    }
  }
]
