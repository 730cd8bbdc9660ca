/**
 * What the dashboard needs from a running peer. The peer side (the lead's) implements it over
 * the peer's event stream and control socket; tests use the in-memory one in fixtures.ts.
 *
 * Contract:
 * - `snapshot()` is synchronous and cheap: it returns the latest Snapshot the source holds (the
 *   dashboard calls it on every change it renders, never more than 10 times a second).
 * - `subscribe(onChange)` calls `onChange()` (no arguments) whenever `snapshot()` would return
 *   something new; it may call it in bursts — the dashboard throttles. It returns an unsubscribe.
 * - `timeline(card)` resolves the custody history of one card, oldest first. Each entry:
 *   `at` the writer's claimed time (ms), `who` the writer's peer key (hex), `whoName` its member
 *   name ('' if none), `what` the custody event type (e.g. 'copy.verified', 'card.registered'),
 *   `detail` one human line about it (the log's describeEvent text, e.g.
 *   "verified A001/A001C001.mxf at SHUTTLE-1 on 1a2b3c4d: ok"). Rejections are shown in the view.
 * - `ackAlert(id)` appends an acknowledgement for the alert; the change then arrives through
 *   `subscribe` like any other. Rejections are shown in the footer, never thrown at the user.
 */
import type { Snapshot, TimelineEntry } from '../peer/snapshot.ts'

export interface DashboardSource {
  snapshot(): Snapshot
  subscribe(onChange: () => void): () => void
  timeline(card: string): Promise<TimelineEntry[]>
  ackAlert(id: string): Promise<void>
}
