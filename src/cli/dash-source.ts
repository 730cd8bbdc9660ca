/**
 * Dashboard sources: the same DashboardSource over a running peer's control socket (`onset dash`,
 * any number at once) or over the daemon in this process (`onset peer` on a terminal).
 * Snapshots are re-read when the peer's event stream says something changed, at most 4 times a
 * second, so a busy transfer never floods the socket.
 */
import type { CardId } from '../crypto/ids.ts'
import type { TimelineRecord } from '../log/view.ts'
import type { ControlClient } from '../peer/control/client.ts'
import type { Snapshot, TimelineEntry } from '../peer/snapshot.ts'
import type { DashboardSource } from '../tui/source.ts'

export interface SnapshotAccess {
  status(): Promise<Snapshot>
  timeline(card: CardId): Promise<TimelineRecord[]>
  ack(id: string): Promise<void>
  onChange(fn: () => void): () => void
}

export async function makeSource(access: SnapshotAccess): Promise<DashboardSource & { close(): void }> {
  let current = await access.status()
  const listeners = new Set<() => void>()
  let pending: NodeJS.Timeout | null = null
  let refreshing = false
  const refresh = () => {
    if (pending || refreshing) return
    pending = setTimeout(() => {
      pending = null
      refreshing = true
      access.status().then((s) => { current = s; for (const l of listeners) l() }, () => {}).finally(() => { refreshing = false })
    }, 250)
  }
  const off = access.onChange(refresh)
  return {
    snapshot: () => current,
    subscribe: (fn) => { listeners.add(fn); return () => listeners.delete(fn) },
    timeline: async (card) => {
      const names = new Map(current.peers.map((p) => [p.peer, p.name]))
      return (await access.timeline(card as CardId)).map((t): TimelineEntry => ({ at: t.at, who: t.by ?? '', whoName: (t.by && names.get(t.by)) || '', what: t.type, detail: t.text }))
    },
    ackAlert: async (id) => { await access.ack(id); refresh() },
    close: () => { off(); if (pending) clearTimeout(pending) },
  }
}

export function controlAccess(c: ControlClient): SnapshotAccess {
  return {
    status: () => c.call<Snapshot>('status', undefined, 10_000),
    timeline: (card) => c.call<TimelineRecord[]>('timeline', { card }, 10_000),
    ack: async (id) => { await c.call('ack-alert', { id }, 10_000) },
    onChange: (fn) => c.onEvent(() => fn()),
  }
}
