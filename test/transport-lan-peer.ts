// A LAN-transport peer as a child process (for transport-lan-netns.test.ts, run inside a network
// namespace). argv: <seed hex> <allowed remote peer key hex>. mDNS on, no address to dial: it
// must discover the other peer. Prints JSON lines: {"event":"listening"|"connected"|"data"|
// "refused"|"error", ...}. Sends one line "hello from <key>" on each connection. Stops on SIGTERM.
import { identityFromSeed } from '../src/crypto/identity.ts'
import { PeerKey } from '../src/crypto/ids.ts'
import { LanTransport } from '../src/replicate/transport/libp2p.ts'

const [seedHex, allowHex] = process.argv.slice(2)
if (!seedHex || !allowHex) throw new Error('usage: transport-lan-peer.ts <seed hex> <allowed peer key hex>')
const identity = identityFromSeed(Buffer.from(seedHex, 'hex'))
const allowed = PeerKey.parse(allowHex)
const out = (o: Record<string, unknown>) => process.stdout.write(JSON.stringify(o) + '\n')

const t = new LanTransport({
  identity,
  gate: (k) => (k === allowed ? 'member' : 'refuse'),
  listen: ['/ip4/0.0.0.0/tcp/0'],
  mdns: { interval: 500, serviceTag: 'onset-test.local' },
})
t.on('connection', (c) => {
  out({ event: 'connected', remoteKey: c.remoteKey, address: c.address, initiator: c.initiator })
  c.stream.on('data', (d: unknown) => { out({ event: 'data', text: Buffer.from(d as Uint8Array).toString() }) })
  c.stream.on('error', () => {})
  c.stream.write(Buffer.from(`hello from ${identity.peerKey}`))
})
t.on('refused', (r) => out({ event: 'refused', ...r }))
t.on('error', (e) => out({ event: 'error', message: e.message }))
await t.start()
out({ event: 'listening', peerKey: identity.peerKey, addresses: t.addresses() })
process.on('SIGTERM', () => { void t.stop().then(() => process.exit(0)) })
