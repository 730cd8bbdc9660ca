/** The typed events a running peer emits: the dashboard, `onset status` and logs subscribe. */
import type { OffloadProgress } from '../media/offload.ts'
import type { TransportKind } from './snapshot.ts'
import type { VerifyRow } from './verify-job.ts'

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
  /** an offload the peer runs (for `onset offload` through the control socket) */
  'offload-progress': OffloadProgress
  'dest-failed': { card: string, dest: string, error: string }
  skipped: { card: string, path: string, reason: string }
  'offload-done': { card: string, ok: boolean, files: number, bytes: number }
  /** one copy checked by `onset verify` through the peer; result 'repaired' after a repair */
  verified: VerifyRow
}
