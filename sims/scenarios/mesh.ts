/**
 * (d) A mesh: the admin (the only indexer), up to 3 more writers and read-only peers, each peer
 * linked to the admin and to 2 random earlier peers, as a production whose peers meet wherever
 * they can. Admissions happen first; the production is quiet for 10 s of wall time; then every
 * writer appends one card while all are linked. Default: 3 peers (admin, two writers, a
 * triangle); `--days N` runs N peers.
 *
 * Found a bug, now fixed: the admin's view never took the writers' new events after the quiet
 * period, while every other peer's did (3, 4, 5 and 10 peers; a star converged). Autobase closes
 * idle non-indexer writers and relies on wake-up announcements that, in a mesh, never reached the
 * indexer. CustodyLog now hints a wake-up for every member's writer core every few seconds
 * (wakeWriters). Regression: test/sims-regression.test.ts, seed 1.
 */
import { CardId } from '../../src/crypto/ids.ts'
import type { SimPeer } from '../harness/cluster.ts'
import type { Scenario } from '../harness/runner.ts'

export const mesh: Scenario = {
  name: 'mesh',
  about: 'admin + writers in a mesh, quiet for 10 s, then one card per writer (the indexer must apply them)',
  policy: { copies: 2, peers: 1, offsite: 0 },
  async run(ctx) {
    const { sim } = ctx
    const rng = sim.rng.fork('mesh')
    const n = ctx.days ? Math.max(3, ctx.days) : 3
    const writers = Math.min(n - 1, 3)
    sim.at(1, 8)
    const admin = await sim.createProduction('p0')
    const peers: SimPeer[] = [admin]
    await ctx.step(`${n - 1} peers admitted`, async () => {
      for (let i = 1; i < n; i++) {
        const p = await sim.addPeer(`p${i}`, i <= writers ? 'dit' : 'post')
        await sim.admit(admin, p)
        peers.push(p)
      }
    })
    await ctx.step('each peer links to the admin and 2 random earlier peers', async () => {
      for (let i = 1; i < n; i++) {
        const others = new Set([0])
        for (let k = 0; k < 2 && i > 1; k++) others.add(rng.int(1, i - 1))
        for (const j of others) sim.linkUp(`p${j}`, `p${i}`)
      }
      await sim.until(() => peers.slice(1, writers + 1).every((p) => p.log!.writable), 'the writers to become writable', 60_000)
    })
    await ctx.settle('everyone admitted', 60_000)
    // the production goes quiet for a while (the failure needs ~6 s or more of it; 2 s converges)
    await sim.idle(10_000)
    sim.at(1, 10)
    await ctx.step('every writer registers a card', async () => {
      for (const p of peers.slice(1, writers + 1)) await p.log!.append({ type: 'card.registered', card: CardId.parse(`${p.name.toUpperCase()}C`), files: 1, bytes: 1, label: '' })
    })
    await ctx.settle('the cards reach every peer', 30_000)
    for (const p of sim.viewPeers()) ctx.expect((await p.log!.queries.cards()).length === writers, `${p.name} sees ${writers} cards`)
  },
}
