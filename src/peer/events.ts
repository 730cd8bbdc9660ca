/** The typed events a running peer emits: the dashboard, `onset status` and logs subscribe. */
import type { TransportKind } from './snapshot.ts'

export interface PeerEvents extends Record<string, unknown> {
  'peer-connected': { peer: string, name: string, transport: TransportKind, address: string }
  'peer-disconnected': { peer: string }
  refused: { peer: string | null, address: string, transport: TransportKind, reason: string }
  transfer: { card: string, path: string, bytes: number, pendingBytes: number, rate: number }
  'replica-received': { card: string, path: string, from: string }
  'replica-failed': { card: string, path: string, error: string }
  admitted: { peer: string, role: string, by: 'invite' | 'member' }
  'log-update': { length: number }
  writable: { writer: string }
  alert: { kind: string, message: string }
  offload: { card: string, bytesDone: number, bytesTotal: number, rate: number }
}
