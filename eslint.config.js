// Lint: TypeScript-aware, and the import direction of DESIGN.md enforced per folder:
//   base ← crypto ← store ← log ← media ← replicate ← peer ← {tui, cli}
// A folder may import itself and the folders to its left. Only src/crypto imports sodium-native.
// Core (everything but tui and cli) never imports ink or react and never prints.
import tseslint from 'typescript-eslint'

const LAYERS = ['base', 'crypto', 'store', 'log', 'media', 'replicate', 'peer']
const TOP = ['tui', 'cli']

function forbidden(layer) {
  const i = LAYERS.indexOf(layer)
  // the CLI launches the dashboard, so cli may import tui; the TUI never imports the CLI
  const above = i >= 0 ? [...LAYERS.slice(i + 1), ...TOP] : layer === 'tui' ? ['cli'] : []
  return above
}

function layerRule(layer) {
  const above = forbidden(layer)
  const patterns = above.length ? [
    { regex: `(^|/)(${above.join('|')})/`, message: `src/${layer} must not import from ${above.join(', ')} (DESIGN.md: crypto ← store ← log ← media ← replicate ← peer ← {tui, cli})` },
  ] : []
  const paths = []
  if (layer !== 'crypto') paths.push({ name: 'sodium-native', message: 'only src/crypto imports sodium-native' })
  if (layer !== 'tui' && layer !== 'cli') {
    paths.push({ name: 'ink', message: 'core never imports the TUI' }, { name: 'react', message: 'core never imports the TUI' })
    patterns.push({ regex: '^ink-', message: 'core never imports the TUI' })
  }
  return {
    files: [`src/${layer}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { paths, patterns }] },
  }
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'sims/out/**', 'sims/results/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-empty-function': 'off',
    },
  },
  ...[...LAYERS, ...TOP].map(layerRule),
  {
    files: LAYERS.map((l) => `src/${l}/**/*.ts`),
    ignores: ['**/*.test.ts', '**/*.suite.ts', '**/testing/**'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['types/**/*.d.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-unsafe-function-type': 'off' },
  },
)
