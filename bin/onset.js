#!/usr/bin/env node
// onset command-line entry. The sources are TypeScript run by Node's own type stripping
// (Node >= 22.18 / 24 LTS); the project pins Node 24 as a devDependency so `npx onset` and
// the npm scripts use it even where the system Node is older.
const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 18) || !process.features.typescript) {
  process.stderr.write(`onset: needs Node >= 22.18 with TypeScript support (this is ${process.version}). Run it through npm (npx onset / npm run onset) to use the project's pinned Node 24.\n`)
  process.exit(78)
}
// React's production build: half the CPU of the development one while the dashboard updates
process.env.NODE_ENV ??= 'production'
await import('../src/cli/main.ts')
