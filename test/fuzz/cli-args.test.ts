// The real CLI (bin/onset.js, spawned) with seeded random arguments: every run ends on its own
// with a documented exit status (0-7, never 70 "internal error", never a signal), prints no stack
// trace, and a failure says what went wrong in a first line starting "onset:" or "error:".
// Long-running commands by design (peer, bootstrap, demo) are left out; join never gets a
// reachable-looking target (it would wait 20 s for an answer, by design). CWD is an empty temp
// folder, so no random relative path can reach real files.
import { spawn } from 'node:child_process'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeSyntheticCard } from '../../src/media/synthetic-card.ts'
import { BIN, onset } from '../helpers/processes.ts'
import { scale, tmpDir } from '../reliability/helpers.ts'

let dir: string
const datas: string[] = []
beforeAll(async () => {
  dir = await tmpDir('cli-fuzz')
  await fs.mkdir(path.join(dir, 'cwd'))
  await fs.writeFile(path.join(dir, 'a-file'), 'not a card')
  await fs.mkdir(path.join(dir, 'empty'))
  const card = await makeSyntheticCard({ root: path.join(dir, 'cards'), card: 'A001', clips: 1, clipBytes: 50_000, sidecars: 1, seed: 'f' })
  for (const n of ['w0', 'w1']) {
    const d = path.join(dir, n)
    expect(onset(d, ['--no-passphrase', 'init']).code).toBe(0)
    expect(onset(d, ['production', 'create', 'Fuzz', '--as', 'cart']).code).toBe(0)
    expect(onset(d, ['offload', card.dir, '--card', 'A001', '--dest', path.join(dir, `${n}-raid`)]).code).toBe(0)
    datas.push(d)
  }
}, 120_000)
afterAll(async () => { await fs.rm(dir, { recursive: true, force: true }) })

const COMMANDS = [
  ['init'], ['whoami'], ['production', 'create'], ['production'], ['member', 'add'], ['member', 'revoke'], ['members'], ['invite'], ['join'],
  ['policy', 'set'], ['policy', 'show'], ['offload'], ['verify'], ['export'], ['safe-to-format'], ['status'], ['log'], ['note'], ['mhl', 'import'], ['mhl'], ['dash'], ['help'], ['nonsense'], [],
]
const OPTIONS = ['--card', '--dest', '--hash', '--label', '--no-vault', '--vault', '--role', '--expires', '--connect', '--kdf', '--circle', '--uncircle', '--tag', '--file', '--as', '--copies', '--peers', '--offsite', '--reason', '--name', '--json', '--data', '--production', '--passphrase-file', '--no-passphrase', '--help', '--version', '-V', '-h', '--', '-', '--bogus', '-x']

function values(safeTargets: boolean): fc.Arbitrary<string> {
  const d = () => dir
  return fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.string({ unit: 'binary', maxLength: 20 }).map((s) => s.replace(/\0/g, '')),
    fc.constantFrom('A001', 'A002', 'a001', '../A001', '/', '', ' ', '0', '-1', '1e309', 'NaN', '48h', '-5h', '99999999999d', 'lab', 'admin', 'god', 'md5,sha1,c4,xxh3', 'md5,,nope', 'x'.repeat(5000), '\u202e', 'Clips/x.mxf', '../../etc/passwd', 'moderate', 'interactive'),
    fc.constantFrom('a-file', 'empty', 'nowhere', 'cards/A001', 'w0-raid').map((n) => path.join(d(), n)),
    safeTargets ? fc.constantFrom('127.0.0.1:0', 'x:y', ':::', '127.0.0.1:99999') : fc.oneof(fc.constantFrom('127.0.0.1:1', '[::1]:1', 'localhost:1'), fc.stringMatching(/^[0-9a-f]{64}$/)),
  )
}
const argv = fc.constantFrom(...COMMANDS).chain((cmd) => {
  const join = cmd[0] === 'join'
  const tok = fc.oneof({ weight: 2, arbitrary: values(join) }, { weight: 2, arbitrary: fc.constantFrom(...OPTIONS) }, { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...OPTIONS), values(join)).map(([o, v]) => `${o}=${v}`) })
  return fc.array(tok, { maxLength: 6 }).map((rest) => [...cmd, ...rest])
})

function runOnset(data: string, args: string[]): Promise<{ code: number | null, signal: string | null, out: string, err: string, hung: boolean }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env }
    delete env.ONSET_DATA; delete env.ONSET_PASSPHRASE
    const p = spawn(process.execPath, [BIN, '--data', data, ...args], { cwd: path.join(dir, 'cwd'), env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = '', err = '', hung = false
    p.stdout.on('data', (b: Buffer) => { if (out.length < 100_000) out += b.toString() })
    p.stderr.on('data', (b: Buffer) => { if (err.length < 100_000) err += b.toString() })
    const t = setTimeout(() => { hung = true; if (p.pid !== undefined) process.kill(p.pid, 'SIGKILL') }, 45_000)
    p.on('exit', (code, signal) => { clearTimeout(t); resolve({ code, signal, out, err, hung }) })
  })
}

describe('CLI arguments (spawned, seeded)', () => {
  it('random argument lists: a documented exit status, a clear first line, never a stack trace or a hang', async () => {
    const n = scale(16, 300)
    const cases = fc.sample(argv, { seed: 61, numRuns: n })
    const failures: string[] = []
    let next = 0
    const statuses = new Map<number, number>()
    const worker = async (w: number) => {
      while (next < cases.length) {
        const args = cases[next++]!
        const r = await runOnset(datas[w]!, args)
        statuses.set(r.code ?? -1, (statuses.get(r.code ?? -1) ?? 0) + 1)
        const first = r.err.split('\n').find((l) => l.trim() && !l.startsWith('onset: warning')) ?? ''
        const bad = r.hung ? 'hung (killed after 45 s)'
          : r.signal ? `killed by ${r.signal}`
          : r.code === null || r.code > 7 ? `exit status ${r.code}`
          : /\n\s+at |internal error/.test(r.err) ? 'stack trace'
          : r.code !== 0 && !/^(onset: |error: )\S/.test(first) ? `unclear error: ${JSON.stringify(r.err.slice(0, 200))}`
          : null
        if (bad) failures.push(`${JSON.stringify(args)}: ${bad}\n${r.err.slice(0, 800)}`)
      }
    }
    await Promise.all([worker(0), worker(1)])
    expect(failures).toEqual([])
    expect([...statuses.keys()].some((c) => c !== 0)).toBe(true)
  }, 900_000)
})
