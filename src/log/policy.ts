/**
 * Replica policy evaluation, pure. A copy counts only while its latest verification is ok.
 *   copies  = verified copies in total (vault copies, plain destinations, attested replicas)
 *   peers   = distinct peers holding a verified copy
 *   offsite = verified copies on peers other than the one that registered the card
 */
import type { PeerKey } from '../crypto/ids.ts'
import type { Policy } from './events.ts'
import type { CopyRecord } from './view.ts'

export interface PolicyCount {
  copies: number
  peers: number
  offsite: number
  met: boolean
}

export function countCopies(copies: readonly CopyRecord[], policy: Policy, owner: PeerKey): PolicyCount {
  const ok = copies.filter((c) => c.verified?.result === 'ok')
  const peers = new Set(ok.map((c) => c.location.peer))
  const offsite = ok.filter((c) => c.location.peer !== owner).length
  const n = { copies: ok.length, peers: peers.size, offsite }
  return { ...n, met: n.copies >= policy.copies && n.peers >= policy.peers && n.offsite >= policy.offsite }
}

/** What a file still lacks, in words ("1 more verified copy, 1 more off the cart"). */
export function missingText(c: PolicyCount, policy: Policy): string {
  const parts: string[] = []
  if (c.copies < policy.copies) parts.push(`${policy.copies - c.copies} more verified ${policy.copies - c.copies === 1 ? 'copy' : 'copies'}`)
  if (c.peers < policy.peers) parts.push(`${policy.peers - c.peers} more ${policy.peers - c.peers === 1 ? 'peer' : 'peers'}`)
  if (c.offsite < policy.offsite) parts.push(`${policy.offsite - c.offsite} more off the cart`)
  return parts.join(', ')
}
