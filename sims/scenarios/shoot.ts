/**
 * (a) A five-day shoot, compressed. Two cameras (A, B) shoot cards all day; the DIT cart (admin)
 * offloads them; the near-set lab receives every reel over a LAN that drops for hours each day;
 * post joins on day 2 over a slow internet link and proves what it holds (plaintext attestations
 * the lab records); a blind vault joins on day 3 (ciphertext attestations); on day 4 the lab's
 * disk is lost and the lab rebuilds its vault from its peers. The seed picks the LAN outages,
 * card sizes, clock skews, which peer crashes when, and which blocks the cart's disk loses.
 */
import { HOUR } from '../harness/cluster.ts'
import { attestHoldings, offload, pullReplicas, refsOf, verifyAndRepair } from '../harness/media.ts'
import type { Scenario } from '../harness/runner.ts'

export const shoot: Scenario = {
  name: 'shoot',
  about: '5-day shoot: 2 cameras, DIT cart, lab on a dropping LAN; post day 2 (slow link), vault day 3, lab disk lost day 4',
  policy: { copies: 3, peers: 2, offsite: 1 },
  async run(ctx) {
    const { sim, ledger } = ctx
    const rng = sim.rng.fork('shoot')
    const days = ctx.days ?? 5
    const cardsPerCameraPerDay = rng.int(1, 2)
    const lan = { latencyMs: 1 }
    const wan = { latencyMs: rng.int(40, 120), bytesPerSec: rng.int(64, 256) * 1024 }
    const vaultLink = { latencyMs: rng.int(20, 60), bytesPerSec: 1024 * 1024 }
    const skew = () => rng.int(-90, 90) * 60_000

    sim.at(1, 7)
    const dit = await sim.createProduction('dit', { skewMs: skew() })
    const lab = await sim.addPeer('lab', 'lab', { skewMs: skew() })
    const attestedByPost = new Set<string>()
    const attestedByVault = new Set<string>()
    ctx.agents = async () => {
      let n = await pullReplicas(sim, ledger, lab)
      const post = sim.peers.get('post')
      const vault = sim.peers.get('vault')
      if (post) n += await attestHoldings(sim, ledger, post, lab, attestedByPost)
      if (vault) n += await attestHoldings(sim, ledger, vault, lab, attestedByVault)
      return n
    }
    await ctx.step('the cart admits the lab; LAN up', async () => {
      await sim.admit(dit, lab)
      sim.linkUp('dit', 'lab', lan)
      await sim.until(() => lab.log!.writable, 'the lab to become a writer')
    })

    const stillMissing = async () => {
      let n = 0
      const me = lab.identity.peerKey
      for (const c of await lab.log!.queries.cards()) for (const [, cs] of await lab.log!.queries.copiesOfCard(c.card)) if (cs.some((x) => x.location.kind === 'vault' && x.location.peer === me && x.verified?.result !== 'ok')) n++
      return n
    }
    let cardNo = 0
    // each camera writes the same settings sidecar on every card (deduplicated to one chunk)
    const sidecars: Record<string, Buffer> = { A: rng.fork('sidecar:A').bytes(1500), B: rng.fork('sidecar:B').bytes(1700) }
    for (let day = 1; day <= days; day++) {
      // the seed decides this day's LAN outage, crash and disk fault
      const dropAt = rng.int(9, 14), dropFor = rng.int(2, 4)
      const crashWho = rng.pick(['dit', 'lab', 'lab', ...(day >= 2 ? ['post'] : []), ...(day >= 3 ? ['vault'] : [])])
      const crashAt = rng.int(8, 18), crashFor = rng.int(1, 3)
      const loseBlockAt = rng.chance(0.5) ? rng.int(9, 17) : -1

      if (day === 2) {
        sim.at(2, 8)
        await ctx.step('post joins over a slow internet link', async () => {
          const post = await sim.addPeer('post', 'post', { skewMs: skew() })
          await sim.admit(dit, post)
          sim.linkUp('post', 'lab', wan)
        })
      }
      if (day === 3) {
        sim.at(3, 8)
        await ctx.step('the vault joins (blind)', async () => {
          const vault = await sim.addPeer('vault', 'vault')
          await sim.admit(dit, vault)
          sim.linkUp('vault', 'lab', vaultLink)
        })
      }
      if (day === 4) {
        sim.at(4, 8)
        await ctx.step('the lab loses its disk: every block it held', async () => {
          const cores = new Set<string>()
          for (const c of await lab.log!.queries.cards()) for (const f of await lab.log!.queries.files(c.card)) for (const k of f.chunks.cores) cores.add(k)
          for (const k of cores) await sim.loseBlocks('lab', k)
          const [found] = await verifyAndRepair(sim, ledger, lab, { repair: false })
          ctx.expect(found > 0, 'the lab notices the loss')
        })
        // with post and the vault holding attested copies the policy may still be met; without them it is DEGRADED
        await ctx.step('the lab rebuilds its vault from its peers', async () => {
          await sim.until(async () => (await verifyAndRepair(sim, ledger, lab, { repair: true }))[0] === 0 && (await stillMissing()) === 0, 'the lab to repair every lost file', 60_000)
        })
      }

      const hours = [9, 11, 13, 15, 17].slice(0, cardsPerCameraPerDay * 2 + 1)
      const offline: string[] = []
      for (let hour = 8; hour <= 19; hour++) {
        sim.at(day, hour)
        if (hour === dropAt) await ctx.step(`day ${day}: the set LAN drops for ${dropFor} h`, async () => { sim.linkDown('dit', 'lab') })
        if (hour === dropAt + dropFor) await ctx.step(`day ${day}: the LAN is back`, async () => { sim.linkUp('dit', 'lab', lan) })
        if (hour === crashAt) await ctx.step(`day ${day}: ${crashWho} crashes`, () => sim.crash(crashWho))
        if (hour === crashAt + crashFor) await ctx.step(`day ${day}: ${crashWho} restarts`, () => sim.restart(crashWho))
        if (hour === loseBlockAt && dit.up) {
          // a block the lab already holds (so it can be repaired); found only by the nightly verify
          await ctx.step(`day ${day}: the cart's disk silently loses a block`, async () => {
            const me = lab.identity.peerKey
            const eligible: number[] = [], sidecarBlocks: number[] = []
            const own = dit.chunks!.ownCore!
            for (const c of await dit.log!.queries.cards()) {
              const byPath = await dit.log!.queries.copiesOfCard(c.card)
              for (const f of await dit.log!.queries.files(c.card)) {
                if (!(byPath.get(f.path) ?? []).some((x) => x.location.peer === me && x.verified?.result === 'ok')) continue
                for (const r of refsOf(f)) if (r.core === own) (f.path.endsWith('.xml') ? sidecarBlocks : eligible).push(r.block)
              }
            }
            // most often a sidecar's block (every later card of that camera shares it)
            const pool = sidecarBlocks.length && rng.chance(0.7) ? sidecarBlocks : eligible
            if (pool.length) await sim.loseBlocks('dit', own, [rng.pick(pool)])
          })
        }
        if (hours.includes(hour) && dit.up) {
          for (const cam of ['A', 'B']) {
            const card = `${cam}${String(++cardNo).padStart(3, '0')}`
            await ctx.step(`day ${day}: offload ${card}`, async () => {
              await offload(sim, ledger, dit, card, { files: rng.int(2, 4), minChunks: 1, maxChunks: 3, sidecar: sidecars[cam] })
              await ctx.agents()
            })
            const lanUp = sim.isWanted('dit', 'lab') && lab.up
            // offloaded on the cart alone (2 copies, 1 peer) is never enough
            if (!lanUp) { offline.push(card); await ctx.expectState(dit, card, 'UNSAFE') }
          }
        }
      }
      sim.at(day, 21)
      await ctx.step(`day ${day}: wrap: every peer up, every link back`, async () => {
        for (const p of sim.peers.values()) if (!p.up) await sim.restart(p.name)
        sim.linkUp('dit', 'lab', lan)
        await verifyAndRepair(sim, ledger, dit, { repair: true })
      })
      await ctx.settle(`day ${day} wrap`)
      for (const p of sim.viewPeers()) for (const c of await p.log!.queries.cards()) await ctx.expectState(p, c.card, 'PROTECTED')
      sim.log(`day ${day}: ${offline.length ? `${offline.join(', ')} offloaded during the LAN outage went UNSAFE → PROTECTED; ` : ''}every card PROTECTED on every peer`)
    }
    sim.at(days, 22)
    await ctx.step('post and the lab read back every offloaded byte', async () => {
      if (sim.peers.has('post')) await ctx.dataCheck(sim.peer('post'))
      await ctx.dataCheck(lab)
    })
    void HOUR
  },
}
