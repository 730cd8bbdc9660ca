/**
 * (c) A revoked member who keeps trying. A lab machine ("rogue") receives reels legitimately,
 * goes offline, is revoked (the data key rotates to epoch 1), and keeps working as if nothing
 * happened: registers a card, claims copies, records replicas. When it reconnects, all of that
 * must be ignored by every view (its own included), counted and alerted once; its later appends
 * must be refused; it must not decrypt media written after the rotation; a signed attestation it
 * hands to a confused writer must be rejected; no card may reach PROTECTED on its word.
 */
import { OnsetError } from '../../src/base/errors.ts'
import { signAttestation } from '../../src/log/attestation.ts'
import { sealSecretsTo } from '../../src/log/custody-log.ts'
import { newSecret } from '../../src/crypto/secrets.ts'
import { HypercoreChunkStore } from '../../src/store/hypercore-chunk-store.ts'
import type { SimPeer } from '../harness/cluster.ts'
import { viewDifference } from '../harness/invariants.ts'
import { offload, pullReplicas, refsOf } from '../harness/media.ts'
import type { Scenario } from '../harness/runner.ts'

export const revoked: Scenario = {
  name: 'revoked',
  about: 'a lab member revoked while offline keeps writing, reconnects, keeps trying',
  policy: { copies: 3, peers: 2, offsite: 1 },
  async run(ctx) {
    const { sim, ledger } = ctx
    const rng = sim.rng.fork('revoked')
    const MARK = `after-revocation-${sim.rng.seed}`
    ctx.markers.push(MARK)
    sim.at(1, 7)
    const office = await sim.createProduction('office')
    const dit = await sim.addPeer('dit', 'dit', { skewMs: rng.int(-60, 60) * 60_000 })
    const rogue = await sim.addPeer('rogue', 'lab', { skewMs: rng.int(-600, 600) * 60_000 })
    let rogueActs = true
    ctx.agents = async () => (await pullReplicas(sim, ledger, office)) + (rogueActs ? await pullReplicas(sim, ledger, rogue) : 0)
    await ctx.step('admit the DIT and the lab machine; all linked', async () => {
      await sim.admit(office, dit)
      await sim.admit(office, rogue)
      sim.linkUp('office', 'dit'); sim.linkUp('office', 'rogue'); sim.linkUp('dit', 'rogue')
      await sim.until(() => dit.log!.writable && rogue.log!.writable, 'writers')
    })
    const day1 = ['A001', 'A002', 'A003'].slice(0, rng.int(2, 3))
    for (const [i, card] of day1.entries()) {
      sim.at(1, 10 + i * 2)
      await ctx.step(`DIT offloads ${card}`, () => offload(sim, ledger, dit, card, { files: rng.int(2, 3) }))
    }
    await ctx.settle('day 1: the office and the lab machine hold every reel')

    sim.at(2, 8)
    await ctx.step('the lab machine goes offline', async () => {
      sim.linkDown('office', 'rogue'); sim.linkDown('dit', 'rogue')
    })
    sim.at(2, 9)
    await ctx.step('the office revokes it and rotates the data key', async () => {
      const secret = newSecret()
      const remaining: SimPeer[] = [office, dit]
      const sealed: Record<string, string> = {}
      for (const p of remaining) p.secrets!.addEpoch(1, secret)
      // (the office's secrets object is the production's; the DIT gets its copy as if unsealed)
      sealed[dit.identity.peerKey] = sealSecretsTo(dit.identity.peerKey, dit.secrets!, [1])
      await office.log!.append({ type: 'member.revoked', peer: rogue.identity.peerKey, reason: 'laptop left the production', epoch: 1, sealed })
      rogue.revoked = true
      // writers reopen their vaults on the new epoch (new blobs cores, new key)
      for (const p of remaining) {
        await p.chunks!.close()
        const s = p.secrets!
        p.chunks = await HypercoreChunkStore.open({ store: p.store!.namespace('p'), chunkIdKey: s.chunkIdKey, dataKey: (e) => s.dataKey(e), epoch: s.currentEpoch, timeout: 5000 })
      }
      await sim.until(async () => (await dit.log!.queries.epoch()) === 1, 'the DIT to see the rotation')
    })
    const day2 = ['B001', 'B002']
    for (const [i, card] of day2.entries()) {
      sim.at(2, 10 + i)
      await ctx.step(`DIT offloads ${card} (epoch 1)`, () => offload(sim, ledger, dit, card, { files: 2 }))
    }
    sim.at(2, 12)
    await ctx.step('the revoked machine, unaware, keeps writing offline', async () => {
      await offload(sim, ledger, rogue, 'R001', { files: 2, label: MARK, marker: MARK, binding: false })
      // it claims extra copies of day-1 files on a drive of its own
      const me = rogue.identity.peerKey
      for (const card of day1) {
        for (const f of await rogue.log!.queries.files(card as never)) {
          await rogue.log!.append({ type: 'copy.verified', card: card as never, path: f.path, location: { kind: 'dest', peer: me, path: '/Volumes/ROGUE', volume: 'ROGUE' }, result: 'ok', hashes: f.hashes, detail: MARK })
          ledger.add({ peer: 'rogue', kind: 'copy', card, path: f.path, loc: `dest:${me}:/Volumes/ROGUE`, result: 'ok', at: rogue.log!.now(), binding: false, marker: MARK })
        }
      }
    })
    await ctx.settle('day 2 without the revoked machine')
    for (const c of [...day1, ...day2]) for (const p of sim.viewPeers()) await ctx.expectState(p, c, 'PROTECTED')

    sim.at(2, 15)
    await ctx.step('the revoked machine reconnects', async () => {
      sim.linkUp('office', 'rogue'); sim.linkUp('dit', 'rogue')
    })
    await ctx.step('its offline writes vanish from every view, its own too', async () => {
      rogueActs = false
      await sim.until(async () => (await rogue.log!.queries.epoch()) === 1 && (await rogue.log!.queries.card('R001' as never)) === null, 'the revoked machine\'s view to drop its own writes', 60_000)
      const ignored = await office.log!.ignoredAfterRevocation()
      ctx.expect(ignored.length === 1 && ignored[0]!.ignored > 0, `the office counts the ignored writes (got ${JSON.stringify(ignored.map((x) => x.ignored))})`)
      ctx.expect(!rogue.log!.writable, 'the revoked machine is no longer a writer')
    })
    await ctx.step('it keeps trying: appends are refused', async () => {
      let refused = 0
      for (let i = 0; i < 3; i++) {
        try {
          await rogue.log!.append({ type: 'card.registered', card: `R00${i + 2}` as never, files: 1, bytes: 1, label: MARK })
        } catch (err) { if (err instanceof OnsetError && err.code === 'NOT_AUTHORIZED') refused++; else throw err }
      }
      ctx.expect(refused === 3, `all 3 appends refused (${refused})`)
    })
    await ctx.step('it cannot decrypt media written after the rotation', async () => {
      const f = (await rogue.log!.queries.files('B001' as never))[0]!
      ctx.expect(f.epoch === 1, 'B001 was written under epoch 1')
      const ref = refsOf(f)[0]!
      let denied = false
      try { await rogue.chunks!.get(ref, { timeout: 2000 }) } catch (err) { denied = (err as OnsetError).code === 'NOT_AUTHORIZED' }
      ctx.expect(denied, 'reading an epoch-1 chunk without its key is refused')
      let wrong = false
      try { await rogue.chunks!.get({ ...ref, epoch: 0 }, { timeout: 5000 }) } catch (err) { wrong = ['CHUNK_CORRUPT', 'TIMEOUT'].includes((err as OnsetError).code) }
      ctx.expect(wrong, 'decrypting an epoch-1 block with the old key never yields the chunk')
    })
    await ctx.step('its signed attestation, recorded by a confused writer, is rejected', async () => {
      const f = (await dit.log!.queries.files('B001' as never))[0]!
      const before = (await dit.log!.queries.rejected()).length
      await dit.log!.append({ type: 'attestation.recorded', attestation: signAttestation(rogue.identity, { production: dit.log!.key, card: 'B001' as never, path: f.path, size: f.size, hashes: f.hashes, verifiedAt: rogue.log!.now(), mode: 'plaintext' }) })
      const rej = await dit.log!.queries.rejected()
      ctx.expect(rej.length === before + 1 && /not an active member/.test(rej[rej.length - 1]!.reason), 'the attestation is rejected: not an active member')
      const copies = await dit.log!.queries.copies('B001' as never, f.path)
      ctx.expect(!copies.some((c) => c.location.peer === rogue.identity.peerKey), 'no copy on the revoked machine is counted for B001')
    })
    await ctx.step('one alert for the ignored writes reaches everyone', async () => {
      ctx.expect((await office.log!.alertIgnoredAfterRevocation()) === 1, 'the office raises one alert')
      ctx.expect((await office.log!.alertIgnoredAfterRevocation()) === 0, 'and not twice')
    })
    await ctx.step('it crashes, restarts, and tries once more', async () => {
      await sim.crash('rogue'); await sim.restart('rogue')
      let refused = false
      try { await rogue.log!.append({ type: 'note.changed', card: 'A001' as never, update: Buffer.from(MARK).toString('base64') }) } catch (err) { refused = (err as OnsetError).code === 'NOT_AUTHORIZED' }
      ctx.expect(refused, 'refused after a restart too')
    })
    await ctx.settle('healed with the revoked machine connected')
    await ctx.step('the revoked machine still follows the log: its view ends identical to everyone\'s', async () => {
      await sim.until(async () => (await viewDifference(sim, [office, dit, rogue])) === null, 'the revoked machine\'s view to converge', 60_000)
      ctx.expect(!JSON.stringify(await rogue.log!.queries.dump()).includes(MARK), 'its own view holds none of its post-revocation writes')
    })
    const alerts = (await dit.log!.queries.alerts()).filter((a) => a.kind === 'revoked-writer-activity')
    ctx.expect(alerts.length === 1, `one revoked-writer-activity alert on the DIT (${alerts.length})`)
    await ctx.step('the office and the DIT read back every byte', async () => {
      await ctx.dataCheck(office)
      await ctx.dataCheck(dit)
    })
  },
}
