/**
 * The onset sync protocol: one Protomux channel per connection and production,
 * protocol "onset/sync/v1", id = the production key (32 bytes). Messages are JSON
 * (compact-encoding `json`), validated on receipt; anything malformed closes the connection.
 *
 *   0 hello     { v: 1, role, binding: WriterBinding | null, cores: [hex key, …] }
 *               `cores` lists the log's writer cores and the blobs cores the sender knows, so a
 *               blind vault (which cannot read the log) knows what to mirror.
 *   1 join      { token: { production, issuer, role, expiresAt, name, inviteKey, signature } | null, proof: hex | null }
 *               A joiner asks for its secrets: with an invite token and a proof bound to this
 *               connection's handshake hash, or (token null) as an already-admitted member.
 *   2 admitted  { name, secrets: base64 sealed to the joiner | null, role }
 *   3 refused   { reason }
 *   4 attest    { attestation: base64 }     a read-only member's signed proof of a file it holds
 *
 * Alongside the channel, members replicate the custody log and the blobs cores on the same
 * stream (Corestore replication: one `hypercore/alpha` channel per core).
 */
import type { WriterBinding } from '../log/events.ts'
import type { InviteRole } from './invite.ts'

export const SYNC_PROTOCOL = 'onset/sync/v1'
export const MAX_CORES = 4096

export interface Hello { v: 1, role: string | null, binding: WriterBinding | null, cores: string[] }
export interface JoinMsg {
  token: { production: string, issuer: string, role: InviteRole, expiresAt: number, name: string, inviteKey: string, signature: string } | null
  proof: string | null
}
export interface AdmittedMsg { name: string, secrets: string | null, role: string }
export interface RefusedMsg { reason: string }
export interface AttestMsg { attestation: string }

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const hex = (v: unknown, bytes: number): v is string => typeof v === 'string' && v.length === bytes * 2 && /^[0-9a-f]+$/.test(v)

export function parseHello(v: unknown): Hello | null {
  if (!isObj(v) || v.v !== 1) return null
  if (!Array.isArray(v.cores) || v.cores.length > MAX_CORES || !v.cores.every((k) => hex(k, 32))) return null
  const b = v.binding
  if (b !== null && !(isObj(b) && hex(b.peer, 32) && hex(b.writer, 32) && hex(b.sig, 64))) return null
  if (v.role !== null && typeof v.role !== 'string') return null
  return { v: 1, role: v.role as string | null, binding: b as WriterBinding | null, cores: v.cores as string[] }
}

export function parseJoin(v: unknown): JoinMsg | null {
  if (!isObj(v)) return null
  if (v.token === null) return { token: null, proof: null }
  const t = v.token
  if (!isObj(t) || !hex(t.production, 32) || !hex(t.issuer, 32) || typeof t.role !== 'string' || !Number.isSafeInteger(t.expiresAt) || typeof t.name !== 'string' || t.name.length > 200 || !hex(t.inviteKey, 32) || !hex(t.signature, 64)) return null
  if (!hex(v.proof, 64)) return null
  return { token: t as JoinMsg['token'], proof: v.proof as string }
}

export function parseAttest(v: unknown): AttestMsg | null {
  return isObj(v) && typeof v.attestation === 'string' && v.attestation.length < 8192 ? { attestation: v.attestation } : null
}
