// The real binary, run as a user would: bin/onset.js on the pinned Node.
import { spawnSync } from 'node:child_process'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const BIN = path.resolve('bin/onset.js')
let dir: string

function onset(args: string[], opts: { env?: NodeJS.ProcessEnv, input?: string } = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env }
  if (!opts.env?.ONSET_PASSPHRASE) delete env.ONSET_PASSPHRASE
  delete env.ONSET_DATA
  const r = spawnSync(process.execPath, [BIN, ...args], { env, input: opts.input ?? '', encoding: 'utf8', timeout: 30_000 })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

beforeAll(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'onset-cli-')) })
afterAll(async () => { await fs.rm(dir, { recursive: true, force: true }) })

describe('onset CLI basics', () => {
  it('--help lists the commands and exits 0', () => {
    const r = onset(['--help'])
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/Usage: onset/)
    expect(r.out).toMatch(/init/)
    expect(r.out).toMatch(/whoami/)
  })

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(await fs.readFile('package.json', 'utf8'))
    const r = onset(['--version'])
    expect(r.code).toBe(0)
    expect(r.out.trim()).toBe(pkg.version)
  })

  it('an unknown command is a usage error (exit 2)', () => {
    const r = onset(['frobnicate'])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/unknown command/)
  })

  it('whoami before init: one clear line, exit 5', () => {
    const r = onset(['--data', path.join(dir, 'none'), 'whoami'])
    expect(r.code).toBe(5)
    expect(r.err.trim().split('\n')).toHaveLength(1)
    expect(r.err).toMatch(/onset init/)
  })

  it('init without a terminal and without a passphrase source fails at once (exit 3)', () => {
    const r = onset(['--data', path.join(dir, 'a'), 'init'])
    expect(r.code).toBe(3)
    expect(r.err).toMatch(/no terminal/)
  })

  it('init with ONSET_PASSPHRASE, then whoami (human and --json)', async () => {
    const data = path.join(dir, 'b')
    const r = onset(['--data', data, 'init', '--kdf', 'interactive'], { env: { ONSET_PASSPHRASE: 'secret words' } })
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/created peer [0-9a-f]{8}/)
    expect((await fs.stat(path.join(data, 'identity.key'))).mode & 0o777).toBe(0o600)
    const w = onset(['--data', data, '--json', 'whoami'])
    expect(w.code).toBe(0)
    const j = JSON.parse(w.out)
    expect(j.peer).toMatch(/^[0-9a-f]{64}$/)
    expect(j.short).toBe(j.peer.slice(0, 8))
    expect(j.data).toBe(data)
    expect(j.protection).toBe('argon2id')
    // init twice refuses and changes nothing
    const before = await fs.readFile(path.join(data, 'identity.key'))
    const again = onset(['--data', data, 'init'], { env: { ONSET_PASSPHRASE: 'x' } })
    expect(again.code).toBe(5)
    expect(again.err).toMatch(/already exists/)
    expect((await fs.readFile(path.join(data, 'identity.key'))).equals(before)).toBe(true)
  })

  it('init --no-passphrase warns loudly and writes 0600', async () => {
    const data = path.join(dir, 'c')
    const r = onset(['--data', data, '--no-passphrase', 'init'])
    expect(r.code).toBe(0)
    expect(r.err).toMatch(/NOT sealed with a passphrase/)
    expect((await fs.stat(path.join(data, 'identity.key'))).mode & 0o777).toBe(0o600)
  })

  it('--passphrase-file works and an empty one is refused', async () => {
    const pf = path.join(dir, 'pass.txt')
    await fs.writeFile(pf, 'from a file\n')
    expect(onset(['--data', path.join(dir, 'd'), '--passphrase-file', pf, 'init', '--kdf', 'interactive']).code).toBe(0)
    await fs.writeFile(pf, '')
    const r = onset(['--data', path.join(dir, 'e'), '--passphrase-file', pf, 'init'])
    expect(r.code).toBe(3)
    expect(r.err).toMatch(/empty/)
  })
})
