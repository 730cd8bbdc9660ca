/**
 * Runs one scenario under one seed: builds the Sim, gives the scenario its step/settle/expect
 * helpers, checks the invariants after every step, and turns any violation into a failure that
 * names the step and the command that reproduces it.
 */
import type { CardPolicyState } from '../../src/log/queries.ts'
import type { Policy } from '../../src/log/events.ts'
import { Sim, SimFailure, type SimPeer } from './cluster.ts'
import { checkData, checkGlobalDurability, checkStep, newObserved, viewDifference, type Observed } from './invariants.ts'
import { Ledger } from './media.ts'

export interface Ctx {
  sim: Sim
  /** a shorter run (fewer days) for the test suite; the scenario's full length when undefined */
  days: number | undefined
  ledger: Ledger
  obs: Observed
  /** strings written only by revoked members after their revocation: no view may show them */
  markers: string[]
  /** run one step, then check every invariant on every running peer */
  step(name: string, fn: () => Promise<unknown>): Promise<void>
  /**
   * Bring every peer and wanted link up (the scenario decides which), then run the agents until
   * they have nothing left to do and every view is identical; then check durability across peers.
   */
  settle(what: string, limitMs?: number): Promise<void>
  /** the agents a scenario runs on every tick (pull replicas, attest, verify): returns work done */
  agents: () => Promise<number>
  expectState(peer: SimPeer, card: string, state: CardPolicyState | CardPolicyState[]): Promise<void>
  expect(cond: boolean, what: string): void
  dataCheck(reader: SimPeer): Promise<void>
}

export interface Scenario {
  name: string
  about: string
  policy: Policy
  run(ctx: Ctx): Promise<void>
}

export interface Result {
  scenario: string
  seed: number
  ok: boolean
  seconds: number
  steps: number
  checks: number
  cards: number
  events: number
  wireBytes: number
  transitions: string
  failure?: string
  reproduce: string
  trace: string[]
}

export function reproduceCommand(scenario: string, seed: number, days?: number): string {
  return `node sims/run.ts --scenario ${scenario} --seed ${seed}${days ? ` --days ${days}` : ''}`
}

export async function runScenario(sc: Scenario, seed: number, o: { verbose?: boolean, days?: number } = {}): Promise<Result> {
  const t0 = Date.now()
  const sim = await Sim.create(seed, sc.policy)
  sim.verbose = o.verbose ?? false
  const ledger = new Ledger()
  const obs = newObserved()
  let steps = 0
  let current = 'setup'
  const ctx: Ctx = {
    sim, ledger, obs, markers: [], days: o.days,
    agents: async () => 0,
    async step(name, fn) {
      current = name
      steps++
      sim.log(`— ${name}`)
      await fn()
      await sim.updateAll()
      const bad = await checkStep(sim, ledger, obs, ctx.markers)
      if (bad.length) throw new SimFailure(name, `invariant violated:\n  ${bad.slice(0, 8).join('\n  ')}${bad.length > 8 ? `\n  … ${bad.length - 8} more` : ''}`)
    },
    async settle(what, limitMs = 90_000) {
      current = `settle: ${what}`
      steps++
      sim.log(`— settle: ${what}`)
      let idle = 0
      let diff: string | null = 'not compared yet'
      try {
        await sim.until(async () => {
          if (idle < 2) return false
          diff = await viewDifference(sim)
          return diff === null
        }, `settle: ${what}`, limitMs, async () => { idle = (await ctx.agents()) === 0 ? idle + 1 : 0 })
      } catch (err) {
        if (err instanceof SimFailure) throw new SimFailure(`settle: ${what}`, `views did not converge in ${limitMs} ms: ${diff}`)
        throw err
      }
      const bad = [...(await checkStep(sim, ledger, obs, ctx.markers)), ...(await checkGlobalDurability(sim, ledger))]
      if (bad.length) throw new SimFailure(`settle: ${what}`, `invariant violated:\n  ${bad.slice(0, 8).join('\n  ')}`)
      sim.log(`views of ${sim.viewPeers().map((p) => p.name).join(', ')} identical`)
    },
    async expectState(peer, card, state) {
      const st = await peer.log!.queries.cardStatus(card as never)
      const want = Array.isArray(state) ? state : [state]
      if (!st || !want.includes(st.state)) throw new SimFailure(current, `expected ${card} ${want.join(' or ')} on ${peer.name}, it is ${st?.state ?? 'unknown'}${st ? ` (${st.files.filter((f) => !f.count.met).map((f) => `${f.file.path}: ${f.missing}`).slice(0, 2).join('; ')})` : ''}`)
    },
    expect(cond, what) { if (!cond) throw new SimFailure(current, `expected: ${what}`) },
    async dataCheck(reader) {
      const bad = await checkData(sim, ledger, reader)
      if (bad.length) throw new SimFailure(current, `verified data lost:\n  ${bad.slice(0, 8).join('\n  ')}`)
      sim.log(`${reader.name} reads back all ${ledger.content.size} offloaded files intact`)
    },
  }
  let failure: string | undefined
  let cards = 0
  let events = 0
  try {
    await sc.run(ctx)
    const any = sim.viewPeers()[0]
    if (any) {
      cards = (await any.log!.queries.cards()).length
      events = Number((await any.log!.base.view.get('meta/seq'))?.value ?? 0)
    }
  } catch (err) {
    failure = err instanceof SimFailure ? err.message : `${current}: ${(err as Error).stack ?? String(err)}`
  } finally {
    await sim.close().catch(() => {})
  }
  const transitions = [...obs.transitions.entries()].filter(([k]) => !k.startsWith('new→')).map(([k, v]) => `${k}×${v}`).join(' ')
  return {
    scenario: sc.name, seed, ok: !failure, seconds: (Date.now() - t0) / 1000, steps, checks: obs.checks, cards, events,
    wireBytes: sim.wire.bytes, transitions, failure, reproduce: reproduceCommand(sc.name, seed, o.days), trace: sim.trace,
  }
}
