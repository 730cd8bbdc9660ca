/**
 * The dashboard root: header, tab bar, one of four views, footer with key hints.
 *
 * Keys: 1-4 or tab (shift-tab back) switch views; ↑/↓ or k/j move; Enter on a card opens its
 * timeline; Esc goes back to the overview; a acknowledges the selected alert; q (or Ctrl-C)
 * calls onExit.
 *
 * Rendering: the source's changes are throttled to at most one render per `throttleMs`
 * (default 100 ms, so ≤ 10/s); ages are recomputed on each render and by a slow tick
 * (`tickMs`, default 5 s). Selections follow the selected card/peer/alert by id across
 * updates. Output never exceeds the terminal's columns and rows.
 */
import React, { useCallback, useEffect, useReducer, useRef, useState } from 'react'
import { Box, useInput, useStdout } from 'ink'
import type { Snapshot } from '../peer/snapshot.ts'
import { colourAllowed } from './format.ts'
import { useSnapshot, useTerminalSize, useTick } from './hooks.ts'
import type { DashboardSource } from './source.ts'
import { sortAlerts, alertsLines } from './views/alerts.ts'
import { footerLine, headerLines, tabsLine, VIEWS, type ViewName } from './views/chrome.ts'
import { overviewLines, sortCards } from './views/overview.ts'
import { peersLines, sortPeers } from './views/peers.ts'
import { timelineLines, type TimelineLoad } from './views/timeline.ts'

const h = React.createElement

export type { ViewName }

export interface DashboardProps {
  source: DashboardSource
  /** called on q / Ctrl-C; the caller unmounts */
  onExit?: () => void
  /** colour output; default: unless NO_COLOR is set (or TERM=dumb) */
  colour?: boolean
  /** ms since the epoch, for ages; default Date.now */
  clock?: () => number
  /** refresh ages this often while nothing else changes; 0 = never (default 5000) */
  tickMs?: number
  /** at most one render from source changes per this many ms (default 100) */
  throttleMs?: number
  initialView?: ViewName
}

/** Rows the header (2), tab bar (1) and footer (1) take. */
export const CHROME_ROWS = 4

function keyOf(view: ViewName, snap: Snapshot, index: number): string | null {
  if (view === 'overview') return sortCards(snap.cards)[index]?.card ?? null
  if (view === 'peers') return sortPeers(snap.peers)[index]?.peer ?? null
  if (view === 'alerts') return sortAlerts(snap.alerts)[index]?.id ?? null
  return null
}

function indexOf(view: 'overview' | 'peers' | 'alerts', snap: Snapshot, key: string | null): number {
  if (key === null) return 0
  const i = view === 'overview' ? sortCards(snap.cards).findIndex((c) => c.card === key)
    : view === 'peers' ? sortPeers(snap.peers).findIndex((p) => p.peer === key)
      : sortAlerts(snap.alerts).findIndex((a) => a.id === key)
  return Math.max(0, i)
}

function count(view: ViewName, snap: Snapshot, load: TimelineLoad | null): number {
  if (view === 'overview') return snap.cards.length
  if (view === 'peers') return snap.peers.length
  if (view === 'alerts') return snap.alerts.length
  return load?.status === 'ok' ? load.entries.length : 0
}

interface UiState {
  view: ViewName
  /** selection by id, so it follows its item when the list re-sorts */
  selected: Record<'overview' | 'peers' | 'alerts', string | null>
  /** the timeline's selected entry, by index */
  tlIndex: number
}

export function Dashboard(props: DashboardProps): React.ReactElement {
  const { source, onExit } = props
  const colour = props.colour ?? colourAllowed()
  const clock = props.clock ?? Date.now
  const snap = useSnapshot(source, props.throttleMs ?? 100)
  useTick(props.tickMs ?? 5000)
  const { stdout } = useStdout()
  const { columns, rows } = useTerminalSize(stdout)
  // Keys can arrive faster than renders (a held j): handlers read and change this ref, then
  // ask for a render, so each key sees the previous key's effect.
  const ui = useRef<UiState>({ view: props.initialView ?? 'overview', selected: { overview: null, peers: null, alerts: null }, tlIndex: 0 })
  const [, rerender] = useReducer((n: number) => n + 1, 0)
  const [load, setLoad] = useState<TimelineLoad | null>(null)
  const loadRef = useRef<TimelineLoad | null>(null)
  const [pending, setPending] = useState<ReadonlySet<string>>(new Set())
  const [status, setStatus] = useState<{ text: string, bad: boolean } | null>(null)
  const snapRef = useRef(snap)
  snapRef.current = snap
  const request = useRef(0)
  const mounted = useRef(true)
  useEffect(() => () => { mounted.current = false }, [])

  const currentIndex = (): number => {
    const { view, selected, tlIndex } = ui.current
    return view === 'timeline' ? tlIndex : indexOf(view, snapRef.current, selected[view])
  }

  const showLoad = (l: TimelineLoad | null): void => { loadRef.current = l; setLoad(l) }

  const openTimeline = useCallback((card: string) => {
    const n = ++request.current
    const prev = loadRef.current
    if (!(prev?.card === card && prev.status === 'ok')) { loadRef.current = { card, status: 'loading' }; setLoad(loadRef.current) }
    source.timeline(card).then(
      (entries) => { if (mounted.current && n === request.current) { loadRef.current = { card, status: 'ok', entries }; setLoad(loadRef.current) } },
      (err: unknown) => { if (mounted.current && n === request.current) { loadRef.current = { card, status: 'error', error: (err as Error)?.message ?? String(err) }; setLoad(loadRef.current) } },
    )
  }, [source])

  // the open timeline follows the log: reload when a new snapshot arrives
  const shownCard = ui.current.view === 'timeline' ? load?.card ?? null : null
  const seen = useRef(snap)
  useEffect(() => {
    if (seen.current === snap) return
    seen.current = snap
    if (shownCard) openTimeline(shownCard)
  }, [snap, shownCard, openTimeline])

  const move = (delta: number): void => {
    const { view } = ui.current
    const n = count(view, snapRef.current, loadRef.current)
    if (n === 0) return
    const next = Math.min(n - 1, Math.max(0, currentIndex() + delta))
    if (view === 'timeline') ui.current.tlIndex = next
    else ui.current.selected = { ...ui.current.selected, [view]: keyOf(view, snapRef.current, next) }
    rerender()
  }

  const switchTo = (v: ViewName): void => {
    setStatus(null)
    if (v === 'timeline') {
      const card = keyOf('overview', snapRef.current, indexOf('overview', snapRef.current, ui.current.selected.overview))
      if (card) {
        if (card !== loadRef.current?.card) { ui.current.tlIndex = 0; showLoad(null) }
        openTimeline(card)
      }
    }
    ui.current.view = v
    rerender()
  }

  const ack = (): void => {
    const a = sortAlerts(snapRef.current.alerts)[currentIndex()]
    if (!a) return
    if (a.acked) { setStatus({ text: 'already acknowledged', bad: false }); return }
    if (pending.has(a.id)) return
    setPending((s) => new Set([...s, a.id]))
    source.ackAlert(a.id).then(
      () => { if (mounted.current) setStatus({ text: `acknowledged ${a.kind}`, bad: false }) },
      (err: unknown) => { if (mounted.current) setStatus({ text: `could not acknowledge: ${(err as Error)?.message ?? String(err)}`, bad: true }) },
    ).finally(() => { if (mounted.current) setPending((s) => { const n = new Set(s); n.delete(a.id); return n }) })
  }

  useInput((input, key) => {
    const { view } = ui.current
    if (input === 'q' || (key.ctrl && input === 'c')) { onExit?.(); return }
    const digit = Number(input)
    if (input.length === 1 && digit >= 1 && digit <= VIEWS.length) { switchTo(VIEWS[digit - 1] as ViewName); return }
    if (key.tab) {
      const i = VIEWS.indexOf(view)
      switchTo(VIEWS[(i + (key.shift ? VIEWS.length - 1 : 1)) % VIEWS.length] as ViewName)
      return
    }
    if (key.upArrow || input === 'k') { move(-1); return }
    if (key.downArrow || input === 'j') { move(1); return }
    if (key.pageUp) { move(-10); return }
    if (key.pageDown) { move(10); return }
    if (key.escape) { if (view !== 'overview') switchTo('overview'); else setStatus(null); return }
    if (key.return && view === 'overview') {
      if (keyOf('overview', snapRef.current, currentIndex())) switchTo('timeline')
      return
    }
    if (input === 'a' && view === 'alerts') ack()
  })

  const { view } = ui.current
  const index = currentIndex()
  const now = clock()
  const height = Math.max(3, rows - CHROME_ROWS)
  const width = Math.max(20, columns)
  const base = { snap, width, height, now, colour }
  const body = view === 'overview' ? overviewLines({ ...base, selected: index })
    : view === 'peers' ? peersLines({ ...base, selected: index })
      : view === 'alerts' ? alertsLines({ ...base, selected: index, pending })
        : timelineLines({ ...base, load, selected: index })

  return h(Box, { flexDirection: 'column', width },
    ...headerLines(snap, width, colour),
    tabsLine(view, snap, load?.card ?? null, width, colour),
    h(Box, { key: 'body', flexDirection: 'column', height, overflow: 'hidden' }, ...body),
    footerLine(view, status, width, colour),
  )
}
