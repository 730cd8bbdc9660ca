import { afterEach, describe, expect, it } from 'vitest'
import { cleanup } from 'ink-testing-library'
import {
  MemorySource, NOW, card, crowdedSnapshot, degradedSnapshot, emptySnapshot, healthySnapshot, timelineFixture,
} from './fixtures.ts'
import { mount, widths } from './testing.ts'
import type { Snapshot } from '../peer/snapshot.ts'

afterEach(() => { cleanup() })

const DOWN = '\x1b[B'
const UP = '\x1b[A'
const has = (s: string) => (f: string) => f.includes(s)

function noProduction(): Snapshot {
  return emptySnapshot()
}

describe('overview', () => {
  it('empty: a peer without a production says so and how to start', async () => {
    const m = mount({ source: new MemorySource(noProduction()) })
    const f = await m.waitFor(has('No production'), 'empty overview')
    expect(f).toContain('NO PRODUCTION')
    expect(f).toContain('onset production create')
    expect(f).toContain('[1 Overview]')
  })

  it('a production with no cards yet', async () => {
    const m = mount({ source: new MemorySource({ ...healthySnapshot(), cards: [] }) })
    const f = await m.waitFor(has('No cards yet'), 'no cards')
    expect(f).toContain('NO CARDS YET')
    expect(f).toContain('Night Train')
  })

  it('healthy: every card protected, ALL SAFE, copies vs policy', async () => {
    const m = mount({ source: new MemorySource(healthySnapshot()) })
    const f = await m.waitFor(has('ALL SAFE'), 'healthy header')
    expect(f).toContain('policy 3 copies, 2 peers, 1 off the cart')
    expect(f).toContain('DIT cart (dit)')
    expect(f).toContain('✓ 3 PROTECTED')
    expect(f).toContain('0 DEGRADED')
    expect(f).toContain('no open alerts')
    for (const c of ['A001', 'A002', 'B001']) expect(f).toMatch(new RegExp(`✓ PROTECTED +${c} +3/3`))
  })

  it('degraded: states in words and symbols, attention first, pending, rate, ETA and the age at risk', async () => {
    const m = mount({ source: new MemorySource(degradedSnapshot()) })
    const f = await m.waitFor(has('AT RISK'), 'degraded header')
    expect(f).toContain('2 AT RISK')
    expect(f).toContain('2 open alerts')
    const rows = f.split('\n')
    const row = (c: string): string => rows.find((l) => l.includes(` ${c} `)) ?? ''
    expect(row('A002')).toMatch(/! DEGRADED +A002 +2\/3 .* 12m$/)
    expect(row('B001')).toMatch(/✗ UNSAFE +B001 +0\/3 nowhere .* 3h$/)
    expect(row('A003')).toMatch(/↻ COPYING +A003 +1\/3 .*40\.0 GiB +200 MiB\/s +3m 25s +25m$/)
    expect(row('A001')).toMatch(/✓ PROTECTED +A001 +3\/3 .* -$/)
    // needing attention first: DEGRADED, UNSAFE, COPYING, PROTECTED
    const order = ['A002', 'B001', 'A003', 'A001'].map((c) => rows.indexOf(row(c)))
    expect([...order].sort((a, b) => a - b)).toEqual(order)
    expect(row('A002').startsWith('>')).toBe(true) // the first row is selected
  })

  it('caps rows to the terminal with "+N more" and never exceeds 80 columns or 24 rows', async () => {
    const m = mount({ source: new MemorySource(crowdedSnapshot()) })
    const f = await m.waitFor(has('more'), 'crowded overview')
    expect(f).toMatch(/\+\d+ more/)
    expect(Math.max(...widths(f))).toBeLessThanOrEqual(80)
    expect(f.split('\n').length).toBeLessThanOrEqual(24)
    expect(f).toContain('…') // long, wide card names cut with an ellipsis
    // moving down past the window scrolls and keeps the selection on screen
    for (let i = 0; i < 30; i++) m.stdin.write('j')
    const g = await m.waitFor(has('above'), 'scrolled')
    expect(g.split('\n').some((l) => l.startsWith('>'))).toBe(true)
    expect(Math.max(...widths(g))).toBeLessThanOrEqual(80)
  })

  it('re-renders on resize: narrower terminal, narrower frame', async () => {
    const m = mount({ source: new MemorySource(degradedSnapshot()) })
    await m.waitFor(has('AT RISK'), 'first frame')
    m.resize(50, 12)
    const f = await m.waitFor((x) => Math.max(...widths(x)) <= 50, 'a 50-column frame')
    expect(f.split('\n').length).toBeLessThanOrEqual(12)
    expect(f).toContain('DEGRADED')
    expect(f).toContain('2/3')
  })
})

describe('keys and views', () => {
  it('1-4 and tab switch views; q calls onExit', async () => {
    let exited = 0
    const m = mount({ source: new MemorySource(degradedSnapshot()), onExit: () => { exited++ } })
    await m.waitFor(has('[1 Overview]'), 'overview')
    await m.press('2', has('[2 Peers]'), 'peers view')
    await m.press('3', has('[3 Alerts (2)]'), 'alerts view')
    await m.press('\t', has('[4 Timeline'), 'tab to timeline')
    await m.press('\t', has('[1 Overview]'), 'tab wraps to overview')
    m.stdin.write('q')
    await m.waitFor(() => exited === 1, 'onExit')
    expect(exited).toBe(1)
  })

  it('footer shows the key hints of the view', async () => {
    const m = mount({ source: new MemorySource(degradedSnapshot()) })
    const f = await m.waitFor(has('q quit'), 'footer')
    expect(f.split('\n').at(-1)).toMatch(/↑↓ move +⏎ timeline/)
    const g = await m.press('3', has('a ack'), 'alerts footer')
    expect(g.split('\n').at(-1)).toContain('a ack')
  })
})

describe('peers', () => {
  it('connected and missing members with role, transport, last seen and bytes owed; revoked shown', async () => {
    const m = mount({ source: new MemorySource(degradedSnapshot()), initialView: 'peers' })
    const f = await m.waitFor(has('PEER'), 'peers view')
    const rows = f.split('\n').slice(4) // below the header, tabs and column titles
    const row = (n: string): string => rows.find((l) => l.includes(n)) ?? ''
    expect(row('DIT cart ')).toMatch(/DIT cart +dit +this peer/)
    expect(row('Lab ')).toMatch(/Lab +lab +connected +LAN +2s +40\.0 GiB/)
    expect(row('Post London')).toMatch(/Post London +post +missing +internet +3h +120 GiB/)
    expect(row('Vault')).toMatch(/Vault +vault +connected +direct +10s/)
    expect(row('Old laptop')).toMatch(/Old laptop +lab +revoked .* 2d/)
    expect(rows.indexOf(row('Old laptop'))).toBeGreaterThan(rows.indexOf(row('Post London'))) // revoked last
    expect(Math.max(...widths(f))).toBeLessThanOrEqual(80)
  })

  it('empty', async () => {
    const m = mount({ source: new MemorySource(noProduction()), initialView: 'peers' })
    await m.waitFor(has('No members yet'), 'no peers')
  })
})

describe('alerts', () => {
  it('newest first with severity, kind, subject and message; the selected one in full', async () => {
    const m = mount({ source: new MemorySource(degradedSnapshot()), initialView: 'alerts' })
    const f = await m.waitFor(has('CRIT'), 'alerts view')
    const rows = f.split('\n')
    const i = (s: string): number => rows.findIndex((l) => l.includes(s))
    expect(i('copy.failed')).toBeLessThan(i('access.refused'))
    expect(i('access.refused')).toBeLessThan(i('peer.joined'))
    expect(rows[i('copy.failed')]).toMatch(/^> +12m CRIT open +copy\.failed/)
    expect(rows[i('peer.joined')]).toMatch(/1h INFO acked peer\.joined/)
    expect(f).toContain('failed verification: xxh64 mismatch') // the detail pane, whole message
  })

  it('a acknowledges the selected alert through the source, which then shows it acked', async () => {
    const src = new MemorySource(degradedSnapshot())
    const m = mount({ source: src, initialView: 'alerts' })
    await m.waitFor(has('CRIT'), 'alerts view')
    await m.press(DOWN, (f) => /^> +40m WARN/m.test(f), 'second alert selected')
    m.stdin.write('a')
    const f = await m.waitFor((x) => /^> +40m WARN acked access\.refused/m.test(x), 'acked row')
    expect(src.acked).toEqual(['000000000037'])
    expect(f).toContain('acknowledged access.refused')
    expect(f).toContain('[3 Alerts (1)]')
    await m.press(UP, (x) => /^> +12m CRIT open/m.test(x), 'back up')
    expect(src.acked).toEqual(['000000000037']) // moving does not ack
  })

  it('a failed acknowledgement is reported, not thrown', async () => {
    const src = new MemorySource(degradedSnapshot())
    src.failAck = new Error('control socket closed')
    const m = mount({ source: src, initialView: 'alerts' })
    await m.waitFor(has('CRIT'), 'alerts view')
    m.stdin.write('a')
    const f = await m.waitFor(has('could not acknowledge'), 'error in footer')
    expect(f).toContain('control socket closed')
    expect(f).toMatch(/12m CRIT open/)
  })

  it('empty', async () => {
    const m = mount({ source: new MemorySource(healthySnapshot()), initialView: 'alerts' })
    await m.waitFor(has('No alerts.'), 'no alerts')
  })

  it('many alerts at 80×24: capped with "+N more", no line over 80', async () => {
    const m = mount({ source: new MemorySource(crowdedSnapshot()), initialView: 'alerts' })
    const f = await m.waitFor(has('more'), 'crowded alerts')
    expect(f.split('\n').length).toBeLessThanOrEqual(24)
    expect(Math.max(...widths(f))).toBeLessThanOrEqual(80)
  })
})

describe('timeline', () => {
  it('Enter on a card opens its custody history as sentences; Esc goes back', async () => {
    const src = new MemorySource(degradedSnapshot(), { A002: timelineFixture() })
    const m = mount({ source: src })
    await m.waitFor(has('AT RISK'), 'overview')
    const f = await m.press('\r', has('verified A001/A001C001.mxf'), 'timeline of A002')
    expect(f).toContain('[4 Timeline A002]')
    expect(f).toContain('Custody history of A002')
    expect(f).toContain('14:02 DIT cart (dit) registered card A001 (12 files, 256 GiB)')
    expect(f).toContain('14:03 DIT cart (dit) verified A001/A001C001.mxf at SHUTTLE-1 on DIT cart — ok')
    expect(f).toMatch(/✗ 14:10 Lab \(lab\) verified A001\/A001C002\.mxf at the vault of Lab — failed/)
    expect(f).toContain('14:11 Lab (lab) received a replica') // no detail: worded from the event type
    expect(Math.max(...widths(f))).toBeLessThanOrEqual(80)
    await m.press('\x1b', has('[1 Overview]'), 'back to overview')
  })

  it('follows the log: a new snapshot reloads the open timeline', async () => {
    const src = new MemorySource(degradedSnapshot(), { A002: timelineFixture().slice(0, 1) })
    const m = mount({ source: src })
    await m.waitFor(has('AT RISK'), 'overview')
    await m.press('\r', has('registered card A001'), 'timeline')
    src.timelines.set('A002', timelineFixture())
    src.set({ ...src.current, at: NOW + 1000 })
    await m.waitFor(has('received a replica'), 'the newer entries')
  })

  it('a card without history, or a failing source, says so', async () => {
    const src = new MemorySource(degradedSnapshot(), {})
    const m = mount({ source: src })
    await m.waitFor(has('AT RISK'), 'overview')
    const f = await m.press('\r', has('Could not load'), 'error')
    expect(f).toContain('no timeline for A002')
  })

  it('with no card selected it explains how to open one', async () => {
    const m = mount({ source: new MemorySource({ ...healthySnapshot(), cards: [] }) })
    await m.waitFor(has('No cards'), 'overview')
    await m.press('4', has('press Enter'), 'timeline hint')
  })
})

describe('colour and rendering budget', () => {
  it('NO_COLOR: not a single escape code', async () => {
    const before = process.env.NO_COLOR
    process.env.NO_COLOR = '1'
    try {
      const m = mount({ source: new MemorySource(degradedSnapshot()), colour: undefined })
      const f = await m.waitFor(has('AT RISK'), 'frame')
      for (const k of ['2', '3', '4']) await m.press(k, has(`[${k} `), `view ${k}`)
      for (const frame of m.frames) expect(frame).not.toMatch(/\x1b/)
      expect(f).toContain('DEGRADED') // state still in words
    } finally {
      if (before === undefined) delete process.env.NO_COLOR
      else process.env.NO_COLOR = before
    }
  })

  // 100 changes, each on its own turn of the event loop (as from a socket), as fast as they come
  async function burst(src: MemorySource): Promise<number> {
    const t0 = performance.now()
    for (let i = 0; i < 100; i++) {
      src.set({ ...src.current, cards: [...degradedSnapshot().cards, card({ card: `Z${String(i).padStart(3, '0')}` })] })
      await new Promise((res) => setImmediate(res))
    }
    return performance.now() - t0
  }

  it('a burst of 100 source changes renders a bounded number of frames (at most 10/s)', async () => {
    const src = new MemorySource(degradedSnapshot())
    const m = mount({ source: src })
    await m.waitFor(has('AT RISK'), 'first frame')
    const before = m.frames.length
    const elapsed = await burst(src)
    await m.waitFor(has('Z099'), 'the last change rendered')
    const rendered = m.frames.length - before
    expect(rendered).toBeGreaterThanOrEqual(1)
    expect(rendered).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 2) // leading + one per 100 ms + trailing
    expect(rendered).toBeLessThan(50)
  })

  it('control: without throttling the same burst renders about a frame per change', async () => {
    const src = new MemorySource(degradedSnapshot())
    const m = mount({ source: src, throttleMs: 0 })
    await m.waitFor(has('AT RISK'), 'first frame')
    const before = m.frames.length
    await burst(src)
    await m.waitFor(has('Z099'), 'the last change rendered')
    expect(m.frames.length - before).toBeGreaterThanOrEqual(90)
  })

  it('ages move with the clock on the slow tick, without source changes', async () => {
    let now = NOW
    const m = mount({ source: new MemorySource(degradedSnapshot()), clock: () => now, tickMs: 20 })
    await m.waitFor((f) => /A002 .* 12m$/m.test(f), '12m at risk')
    now = NOW + 60 * 60_000
    await m.waitFor((f) => /A002 .* 1h$/m.test(f), '1h at risk after the tick')
  })
})
