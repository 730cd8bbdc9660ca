// A writer revoked while it was offline keeps appending. Autobase cuts a removed writer off at the
// length the revoking admin had seen, so those events never reach apply(); the facade reports
// them (as far as this peer has replicated the revoked core: a peer that stopped following it may
// not know) and raises one alert for them, which reaches everyone.
import { afterEach, describe, expect, it } from 'vitest'
import { CardId } from '../crypto/ids.ts'
import { LogCluster } from '../../test/helpers/log-peers.ts'
import { sealSecretsTo } from './custody-log.ts'

let cluster: LogCluster | null = null
afterEach(async () => { await cluster?.close(); cluster = null })

describe('custody log: events from a writer revoked while offline', () => {
  it('are ignored everywhere, reported with their count, and alerted once', async () => {
    const { cluster: c, admin } = await LogCluster.create()
    cluster = c
    const lab = await c.addPeer('lab')
    const dit = await c.addPeer('dit')
    c.connectAll()
    for (const [p, role] of [[lab, 'lab'], [dit, 'dit']] as const) {
      await admin.log.append({ type: 'member.admitted', peer: p.identity.peerKey, role, name: role, expiresAt: null, secrets: sealSecretsTo(p.identity.peerKey, c.secrets), invite: null, binding: p.log.binding() })
    }
    await c.until(() => lab.log.writable && dit.log.writable, 'writers')
    await lab.log.append({ type: 'card.registered', card: CardId.parse('A001'), files: 1, bytes: 1, label: '' })
    await c.converge()
    expect(await admin.log.ignoredAfterRevocation()).toEqual([])

    c.disconnectAll()
    await admin.log.append({ type: 'member.revoked', peer: lab.identity.peerKey, reason: 'laptop stolen', epoch: 1, sealed: {} })
    await lab.log.append({ type: 'card.registered', card: CardId.parse('A002'), files: 1, bytes: 1, label: 'after' })
    await lab.log.append({ type: 'card.registered', card: CardId.parse('A003'), files: 1, bytes: 1, label: 'after' })
    c.connectAll()
    await c.until(async () => (await admin.log.ignoredAfterRevocation()).length === 1 && (await lab.log.queries.epoch()) === 1, 'the ignored events to be seen')
    const [f] = await admin.log.ignoredAfterRevocation()
    expect(f).toMatchObject({ peer: lab.identity.peerKey, writer: lab.log.writerKey, ignored: 2 })
    for (const p of [admin, dit, lab]) {
      expect(await p.log.queries.card(CardId.parse('A002'))).toBeNull()
      expect(await p.log.queries.card(CardId.parse('A003'))).toBeNull()
    }
    expect(await lab.log.alertIgnoredAfterRevocation()).toBe(0) // no longer a writer
    expect(await admin.log.alertIgnoredAfterRevocation()).toBe(1)
    await c.converge([admin, dit], 'the alert to reach the dit')
    expect(await admin.log.alertIgnoredAfterRevocation()).toBe(0) // already alerted
    const alerts = (await dit.log.queries.alerts()).filter((a) => a.kind === 'revoked-writer-activity')
    expect(alerts).toHaveLength(1)
    expect(alerts[0]!.message).toMatch(/2 events after its revocation/)
  })
})
