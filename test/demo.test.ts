// The README's first command, run as a newcomer would without a terminal: the real binary,
// `onset demo --small` (the same steps on less footage) must pass every check and exit 0.
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

describe('onset demo', () => {
  it('runs the whole production non-interactively, prints a summary, and exits 0', () => {
    const t0 = Date.now()
    const r = spawnSync(process.execPath, [path.resolve('bin/onset.js'), 'demo', '--small', '--json'], { encoding: 'utf8', timeout: 240_000, env: { ...process.env, ONSET_DATA: '' } })
    const seconds = (Date.now() - t0) / 1000
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    const summary = lines.find((l) => l.event === 'summary') as { ok: boolean, checks: { name: string, ok: boolean, detail: string }[] } | undefined
    expect(summary, r.stderr).toBeDefined()
    expect(summary!.checks.filter((c) => !c.ok)).toEqual([])
    expect(summary!.checks.map((c) => c.name)).toEqual(expect.arrayContaining([
      'every card PROTECTED (3 verified copies, 2 peers, 1 off the cart)',
      'lab received and verified every byte',
      'post decrypted everything; its signed attestations were recorded by a writer',
      'vault mirrors every block as ciphertext (Merkle-verified) and cannot read it',
      'the flipped byte is detected and named',
      'repaired from a peer and re-verified',
      'an unknown peer is refused before any data flows, with an alert',
    ]))
    expect(summary!.ok).toBe(true)
    expect(r.status).toBe(0)
    // the full demo takes about 30 s on an idle 2-core machine (README); this smaller run shares the CPU with other test files
    expect(seconds).toBeLessThan(240)
  }, 300_000)
})
