/**
 * Joining a production from the new peer's side: connect to a member (an admin, for invites),
 * ask for our secrets with the invite's proof (or as an already-admitted member), and store the
 * production in our key file. No production secret is in the token; it arrives sealed to us.
 */
import { OnsetError } from '../base/errors.ts'
import type { PeerKey} from '../crypto/ids.ts';
import { ProductionKey } from '../crypto/ids.ts'
import { ProductionSecrets } from '../crypto/secrets.ts'
import { openSealedSecrets } from '../log/custody-log.ts'
import { makeJoinProof, parseInvite, checkInviteFresh } from '../replicate/invite.ts'
import { SyncSession } from '../replicate/session.ts'
import { DirectTransport } from '../replicate/transport/direct.ts'
import { SwarmTransport } from '../replicate/transport/swarm.ts'
import type { PeerConnection, Transport } from '../replicate/transport/transport.ts'
import { topicFor } from '../crypto/secrets.ts'
import type { AdmittedMsg, JoinMsg } from '../replicate/wire.ts'
import { readBlind, saveBlind } from './blind.ts'
import { saveHome, type Home } from './home.ts'

export interface JoinResult { production: ProductionKey, name: string, role: string }

export interface JoinOptions {
  target: string
  /** a running admin peer's direct address … */
  connect?: { host: string, port: number }
  /** … or find one on the production's topic through these DHT bootstrap nodes (or the public DHT) */
  bootstrap?: { host: string, port: number }[]
  publicDht?: boolean
  dhtHost?: string
  dhtReachable?: boolean
  timeoutMs?: number
  now?: number
}

export async function join(home: Home, passphrase: string | null, o: JoinOptions): Promise<JoinResult> {
  if (!o.connect && !o.bootstrap?.length && !o.publicDht) throw new OnsetError('USAGE', 'say how to reach an admin peer', { hint: 'pass --connect host:port, or --bootstrap host:port (or --public-dht) to find one on the internet' })
  let production: ProductionKey
  let invite = null
  if (o.target.startsWith('onset-invite-')) {
    invite = parseInvite(o.target)
    checkInviteFresh(invite, o.now ?? Date.now())
    production = invite.production
  } else {
    production = ProductionKey.parse(o.target)
  }
  if (home.productions.some((p) => p.key === production) || (await readBlind(home)).some((p) => p.key === production)) throw new OnsetError('ALREADY_EXISTS', `this peer already holds production ${ProductionKey.short(production)}`)
  let vouchedBy: PeerKey | null = null
  const t: Transport = o.connect
    ? new DirectTransport({ identity: home.identity, gate: () => 'member', minBackoff: 500, maxBackoff: 2000 })
    : new SwarmTransport({ identity: home.identity, gate: () => 'member', topic: topicFor(ProductionKey.toBytes(production)), bootstrap: o.bootstrap, publicDht: o.publicDht, host: o.dhtHost, ...(o.dhtReachable ? { firewalled: false } : {}) })
  const where = o.connect ? `${o.connect.host}:${o.connect.port}` : 'the production\'s topic on the DHT'
  try {
    const admitted = await new Promise<AdmittedMsg>((resolve, reject) => {
      const timer = setTimeout(() => reject(new OnsetError('TIMEOUT', `no admin answered at ${where} in time`, { hint: o.connect ? 'is an admin peer running there (`onset peer --listen …`)?' : 'is an admin peer running with the same --bootstrap nodes?' })), o.timeoutMs ?? (o.connect ? 20_000 : 60_000))
      t.on('connection', (c: PeerConnection) => {
        vouchedBy = c.remoteKey
        const s = new SyncSession({ ...c, admission: 'member' }, production, null)
        s.on('admitted', (a) => { clearTimeout(timer); resolve(a) })
        s.on('refused', (r) => { clearTimeout(timer); reject(new OnsetError('PEER_REFUSED', `the peer refused: ${r.reason}`)) })
        s.on('error', () => {})
        s.open()
        const msg: JoinMsg = invite
          ? { token: { production: invite.production, issuer: invite.issuer, role: invite.role, expiresAt: invite.expiresAt, name: invite.name, inviteKey: invite.inviteKey.toString('hex'), signature: invite.signature.toString('hex') }, proof: makeJoinProof(invite, home.identity.peerKey, c.stream.handshakeHash!).toString('hex') }
          : { token: null, proof: null }
        s.sendJoin(msg)
      })
      void t.start().then(() => { if (o.connect && t instanceof DirectTransport) t.dial(o.connect) }, (err: unknown) => { clearTimeout(timer); reject(err) })
    })
    if (!admitted.secrets) {
      if (admitted.role !== 'vault') throw new OnsetError('MALFORMED', `admitted as ${admitted.role} but no secrets arrived`)
      // a blind vault: no secrets, ever; remember the production and the peer that vouched for us
      const list = await readBlind(home)
      list.push({ key: production, name: admitted.name.slice(0, 200), trusted: [vouchedBy!] })
      await saveBlind(home, list)
      return { production, name: admitted.name, role: admitted.role }
    }
    const epochs = openSealedSecrets(home.identity, admitted.secrets)
    const root = epochs.find(([e]) => e === 0)
    if (!root) throw new OnsetError('MALFORMED', 'the sealed secrets have no root secret')
    home.productions.push({ key: production, name: admitted.name.slice(0, 200), ns: production, secrets: new ProductionSecrets(root[1], epochs) })
    await saveHome(home, passphrase)
    return { production, name: admitted.name, role: admitted.role }
  } finally {
    await t.stop()
  }
}

