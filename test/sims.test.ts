// A small seeded subset of the simulation suite (the full one is `npm run sims`): every scenario
// under one seed, shortened, with every invariant checked after every step; and the checks
// themselves shown to catch what they are for.
import { describe, expect, it } from 'vitest'
import { CardId } from '../src/crypto/ids.ts'
import { checkStep, newObserved } from '../sims/harness/invariants.ts'
import { Ledger, offload } from '../sims/harness/media.ts'
import { Sim } from '../sims/harness/cluster.ts'
import { runScenario, type Scenario } from '../sims/harness/runner.ts'
import { revoked } from '../sims/scenarios/revoked.ts'
import { shoot } from '../sims/scenarios/shoot.ts'
import { units } from '../sims/scenarios/units.ts'

const run = async (sc: Scenario, seed: number, days?: number) => {
  const r = await runScenario(sc, seed, { days })
  expect(r.failure ?? null, `${r.failure}\n${r.reproduce}`).toBeNull()
  expect(r.steps).toBeGreaterThan(5)
  expect(r.checks).toBeGreaterThanOrEqual(r.steps)
  return r
}

describe('sims: seeded scenarios (subset)', () => {
  it('shoot, seed 7, two days (LAN drops, a crash, post joins on a slow link)', async () => {
    const r = await run(shoot, 7, 2)
    expect(r.transitions).toMatch(/UNSAFE→PROTECTED/)
    expect(r.trace.join('\n')).toMatch(/post joins/)
  }, 60_000)

  it('units, seed 3, one unit away for a day', async () => {
    const r = await run(units, 3, 1)
    expect(r.trace.join('\n')).toMatch(/went UNSAFE → PROTECTED after it reconnected/)
  }, 60_000)

  it('revoked, seed 5: everything a revoked member keeps doing is ignored, refused or rejected', async () => {
    const r = await run(revoked, 5)
    expect(r.cards).toBeGreaterThan(0)
  }, 60_000)
})

describe('sims: the checks catch what they are for', () => {
  it('a lost record and a card shown PROTECTED against the policy are reported', async () => {
    const sim = await Sim.create(99, { copies: 2, peers: 1, offsite: 0 })
    try {
      const ledger = new Ledger()
      const obs = newObserved()
      const admin = await sim.createProduction('admin')
      await offload(sim, ledger, admin, 'A001', { files: 2 })
      expect(await checkStep(sim, ledger, obs)).toEqual([])
      expect((await admin.log!.queries.cardStatus(CardId.parse('A001')))!.state).toBe('PROTECTED')
      // a verification the ledger says was appended but the view does not hold
      ledger.add({ peer: 'admin', kind: 'copy', card: 'A001', path: 'A001/A001C001.mxf', loc: 'vault:nowhere', result: 'ok', at: 0, binding: true })
      const bad = await checkStep(sim, ledger, obs)
      expect(bad.some((b) => /lost the copy record/.test(b))).toBe(true)
      // a policy the view's counters no longer match (a raised bar recomputed here, not by apply)
      const q = admin.log!.queries
      const orig = q.production.bind(q)
      q.production = async () => ({ ...(await orig())!, policy: { copies: 3, peers: 1, offsite: 0 } })
      const bad2 = await checkStep(sim, new Ledger(), obs)
      expect(bad2.some((b) => /stored met=true, recomputed false/.test(b))).toBe(true)
    } finally {
      await sim.close()
    }
  }, 30_000)

  it('a failing seed names its step and the command that reproduces it', async () => {
    const broken: Scenario = { name: 'broken', about: '', policy: { copies: 1, peers: 1, offsite: 0 }, async run(ctx) {
      await ctx.sim.createProduction('admin')
      await ctx.step('a step that expects the impossible', async () => { ctx.expect(ctx.sim.rng.next() > 2, 'a number above 2') })
    } }
    const r = await runScenario(broken, 42)
    expect(r.ok).toBe(false)
    expect(r.failure).toMatch(/a step that expects the impossible: expected: a number above 2/)
    expect(r.reproduce).toBe('node sims/run.ts --scenario broken --seed 42')
  })
})
