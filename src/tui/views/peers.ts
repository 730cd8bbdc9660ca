/**
 * Peers: every member — this peer first, then connected, missing (active but not connected),
 * expired and revoked (dimmed) — with role, transport, last seen as an age, and bytes owed
 * each way (TO THEM: they still have to receive from us; FROM THEM: we from them).
 */
import type React from 'react'
import type { PeerSnapshot } from '../../peer/snapshot.ts'
import { clean, displayWidth, formatAge, formatBytes } from '../format.ts'
import { placeColumns, type Column } from '../layout.ts'
import type { Colour } from '../format.ts'
import { headerLine, listLines, mark, message, rowParts, type ViewProps } from './common.ts'

export function peerStatus(p: PeerSnapshot): { word: string, colour: Colour } {
  if (p.state === 'revoked') return { word: 'revoked', colour: 'gray' }
  if (p.state === 'expired') return { word: 'expired', colour: 'gray' }
  if (p.self) return { word: 'this peer', colour: 'cyan' }
  return p.connected ? { word: 'connected', colour: 'green' } : { word: 'missing', colour: 'red' }
}

const TRANSPORT: Record<string, string> = { lan: 'LAN', internet: 'internet', direct: 'direct' }

export function sortPeers(peers: readonly PeerSnapshot[]): PeerSnapshot[] {
  const rank = (p: PeerSnapshot): number => p.self ? 0 : p.state === 'revoked' ? 4 : p.state === 'expired' ? 3 : p.connected ? 1 : 2
  return [...peers].sort((a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || (a.peer < b.peer ? -1 : 1))
}

export function peersLines(p: ViewProps & { selected: number }): React.ReactElement[] {
  const peers = sortPeers(p.snap.peers)
  if (peers.length === 0) return [message('none', 'No members yet.', p.colour)]
  const longest = peers.reduce((n, x) => Math.max(n, displayWidth(clean(x.name || x.peer.slice(0, 8)))), 4)
  const cols = placeColumns([
    { key: 'mark', title: '', width: 1 },
    { key: 'name', title: 'PEER', min: 8, want: Math.min(28, longest) },
    { key: 'role', title: 'ROLE', width: 5 },
    { key: 'status', title: 'STATUS', width: 9 },
    { key: 'transport', title: 'VIA', width: 8, drop: 2 },
    { key: 'seen', title: 'SEEN', width: 6, align: 'right' },
    { key: 'to', title: 'TO THEM', width: 10, align: 'right', drop: 3 },
    { key: 'from', title: 'FROM THEM', width: 10, align: 'right', drop: 4 },
    { key: 'key', title: 'KEY', min: 8, want: 8, drop: 1 },
  ] satisfies Column[], p.width)
  const rows = listLines(peers.length, p.selected, p.height - 1, p.width, p.colour, (i) => {
    const x = peers[i] as PeerSnapshot
    const st = peerStatus(x)
    return rowParts(cols, {
      mark: mark(i === p.selected),
      name: clean(x.name || x.peer.slice(0, 8)),
      role: x.role,
      status: st.word,
      transport: x.transport ? TRANSPORT[x.transport] ?? x.transport : '-',
      seen: x.self ? '-' : x.lastSeen === null ? 'never' : formatAge(x.lastSeen, p.now),
      to: x.bytesOwedTo > 0 ? formatBytes(x.bytesOwedTo) : '-',
      from: x.bytesOwedFrom > 0 ? formatBytes(x.bytesOwedFrom) : '-',
      key: x.peer.slice(0, 8),
    }, { status: { colour: st.colour } })
  }, (i) => (peers[i] as PeerSnapshot).state !== 'active')
  return [headerLine(cols, p.colour), ...rows]
}
