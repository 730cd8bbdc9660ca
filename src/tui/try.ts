/**
 * Try the dashboard without a peer: `node src/tui/try.ts [crowded]` shows the fixture
 * production with a copy in progress (10 updates a second). q quits.
 */
import { renderDashboard } from './render.ts'
import { MemorySource, crowdedSnapshot, degradedSnapshot, timelineFixture } from './fixtures.ts'

const snap = process.argv[2] === 'crowded' ? crowdedSnapshot() : degradedSnapshot()
const src = new MemorySource({ ...snap, at: Date.now() }, { A002: timelineFixture(), A001: timelineFixture() })
const offset = Date.now() - snap.at
// shift fixture times to now so ages read naturally
src.set({
  ...src.current,
  cards: src.current.cards.map((c) => ({ ...c, oldestUnprotectedAt: c.oldestUnprotectedAt && c.oldestUnprotectedAt + offset, registeredAt: c.registeredAt + offset })),
  peers: src.current.peers.map((p) => ({ ...p, lastSeen: p.lastSeen && p.lastSeen + offset })),
  alerts: src.current.alerts.map((a) => ({ ...a, at: a.at + offset })),
})
const timer = setInterval(() => {
  const s = src.current
  src.set({ ...s, at: Date.now(), cards: s.cards.map((c) => c.state === 'COPYING' ? { ...c, bytesPending: Math.max(0, c.bytesPending - c.rate / 10), eta: c.bytesPending / c.rate } : c) })
}, 100)
const handle = renderDashboard(src, { onExit: () => clearInterval(timer) })
await handle.waitUntilExit()
