/**
 * (b) Three units at three locations, each offline for one whole day while it keeps shooting;
 * the production office (admin, receives every reel) and post stay up. When a unit reconnects its
 * cards go UNSAFE → PROTECTED; nothing is lost or duplicated, every view converges. Clocks are
 * skewed by up to ±5 h per unit; one peer crashes each day.
 */
import { attestHoldings, offload, pullReplicas } from '../harness/media.ts'
import type { Scenario } from '../harness/runner.ts'

export const units: Scenario = {
  name: 'units',
  about: '3 units at 3 locations, each offline a day, then reconnecting; skewed clocks; a crash a day',
  policy: { copies: 3, peers: 2, offsite: 1 },
  async run(ctx) {
    const { sim, ledger } = ctx
    const rng = sim.rng.fork('units')
    const wan = () => ({ latencyMs: rng.int(20, 150), bytesPerSec: rng.int(256, 2048) * 1024 })
    sim.at(1, 6)
    const office = await sim.createProduction('office')
    const unitNames = ['unit1', 'unit2', 'unit3']
    const unitLinks = new Map<string, { latencyMs: number, bytesPerSec: number }>()
    const attested = new Set<string>()
    ctx.agents = async () => (await pullReplicas(sim, ledger, office)) + (sim.peers.has('post') ? await attestHoldings(sim, ledger, sim.peer('post'), office, attested) : 0)
    await ctx.step('the office admits three units and post', async () => {
      for (const u of unitNames) {
        const p = await sim.addPeer(u, 'dit', { skewMs: rng.int(-300, 300) * 60_000 })
        await sim.admit(office, p)
        unitLinks.set(u, wan())
        sim.linkUp('office', u, unitLinks.get(u))
      }
      const post = await sim.addPeer('post', 'post', { skewMs: rng.int(-30, 30) * 60_000 })
      await sim.admit(office, post)
      sim.linkUp('office', 'post', { latencyMs: 80, bytesPerSec: 256 * 1024 })
      await sim.until(() => unitNames.every((u) => sim.peer(u).log!.writable), 'the units to become writers')
    })
    await ctx.settle('everyone admitted')
    let n = 0
    for (let day = 1; day <= Math.min(3, ctx.days ?? 3); day++) {
      const away = unitNames[day - 1]!
      const crashWho = rng.pick(['office', 'post', ...unitNames])
      const crashAt = rng.int(9, 16)
      sim.at(day, 7)
      await ctx.step(`day ${day}: ${away} goes offline`, async () => { sim.linkDown('office', away) })
      const awayCards: string[] = []
      for (let hour = 8; hour <= 19; hour++) {
        sim.at(day, hour)
        if (hour === crashAt) await ctx.step(`day ${day}: ${crashWho} crashes`, () => sim.crash(crashWho))
        if (hour === crashAt + 2) await ctx.step(`day ${day}: ${crashWho} restarts`, () => sim.restart(crashWho))
        if (hour === 10 || hour === 15) {
          for (const u of unitNames) {
            const p = sim.peer(u)
            if (!p.up) continue
            const card = `${u.slice(-1) === '1' ? 'A' : u.slice(-1) === '2' ? 'B' : 'C'}${String(++n).padStart(3, '0')}`
            await ctx.step(`day ${day}: ${u} offloads ${card}`, async () => {
              await offload(sim, ledger, p, card, { files: rng.int(2, 3), maxChunks: 2 })
              await ctx.agents()
            })
            if (u === away) { awayCards.push(card); await ctx.expectState(p, card, 'UNSAFE') }
          }
        }
      }
      sim.at(day, 22)
      await ctx.step(`day ${day}: ${away} reconnects`, async () => {
        for (const p of sim.peers.values()) if (!p.up) await sim.restart(p.name)
        sim.linkUp('office', away, unitLinks.get(away))
      })
      await ctx.settle(`day ${day}: ${away} back`)
      for (const p of sim.viewPeers()) for (const c of await p.log!.queries.cards()) await ctx.expectState(p, c.card, 'PROTECTED')
      sim.log(`day ${day}: ${awayCards.join(', ')} from ${away} went UNSAFE → PROTECTED after it reconnected`)
    }
    await ctx.step('post and the office read back every offloaded byte', async () => {
      await ctx.dataCheck(sim.peer('post'))
      await ctx.dataCheck(office)
    })
  },
}
