/**
 * Transports: each yields end-to-end encrypted streams (Noise XX via @hyperswarm/secret-stream)
 * bound to the remote peer's Ed25519 identity, the same key on every transport.
 *
 * The access gate runs in ONE place (`admit` below) for every transport, after the Noise
 * handshake proves the remote key and before any onset data flows: `allow(remoteKey, address)`
 * answers 'member' (full session), 'joiner' (a non-member that may only speak the join protocol,
 * briefly) or 'refuse' (the stream is destroyed and a 'refused' event carries the key and
 * address, for the alert).
 */
import type { EventEmitter } from 'node:events'
import type NoiseSecretStream from '@hyperswarm/secret-stream'
import { PeerKey } from '../../crypto/ids.ts'

export type TransportKind = 'lan' | 'internet' | 'direct'
export type Admission = 'member' | 'joiner' | 'refuse'
export type AccessGate = (remoteKey: PeerKey, address: string, transport: TransportKind) => Admission | Promise<Admission>

export interface PeerConnection {
  stream: NoiseSecretStream
  remoteKey: PeerKey
  address: string
  transport: TransportKind
  initiator: boolean
  admission: Exclude<Admission, 'refuse'>
}

export interface Refusal {
  remoteKey: PeerKey | null
  address: string
  transport: TransportKind
  reason: string
}

export interface TransportEvents {
  connection: [PeerConnection]
  refused: [Refusal]
  error: [Error]
}

export interface Transport extends EventEmitter<TransportEvents> {
  readonly kind: TransportKind
  start(): Promise<void>
  stop(): Promise<void>
}

/**
 * Wait for the Noise handshake, then apply the gate. Shared by every transport.
 * `expectedRemoteKey`: when the carrier already authenticated the remote (libp2p's own Noise
 * proves a PeerId), the Noise key of the onset stream must be that same key, else refused.
 */
export async function admit(t: EventEmitter<TransportEvents>, kind: TransportKind, stream: NoiseSecretStream, address: string, gate: AccessGate, handshakeTimeoutMs = 10_000, expectedRemoteKey?: PeerKey): Promise<void> {
  stream.on('error', () => {})
  const timer = setTimeout(() => stream.destroy(), handshakeTimeoutMs)
  const opened = await stream.opened.catch(() => false)
  clearTimeout(timer)
  if (!opened || !stream.remotePublicKey) {
    t.emit('refused', { remoteKey: null, address, transport: kind, reason: 'the encrypted handshake did not complete' })
    stream.destroy()
    return
  }
  const remoteKey = PeerKey.fromBytes(stream.remotePublicKey)
  if (expectedRemoteKey !== undefined && remoteKey !== expectedRemoteKey) {
    stream.destroy()
    t.emit('refused', { remoteKey, address, transport: kind, reason: `the encrypted stream's key is not the key the connection was made with (${expectedRemoteKey})` })
    return
  }
  let a: Admission
  try { a = await gate(remoteKey, address, kind) } catch { a = 'refuse' }
  if (a === 'refuse' || stream.destroyed) {
    stream.destroy()
    t.emit('refused', { remoteKey, address, transport: kind, reason: 'not a current member of the production' })
    return
  }
  t.emit('connection', { stream, remoteKey, address, transport: kind, initiator: stream.isInitiator, admission: a })
}
