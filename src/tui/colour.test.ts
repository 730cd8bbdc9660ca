// Colour is decided by the dashboard, not by the terminal library: force the library's colour
// support on (before it loads) so that a frame *could* carry escape codes, then check that it
// does exactly when colour is on.
import { afterEach, describe, expect, it } from 'vitest'

process.env.FORCE_COLOR = '1'
const { cleanup } = await import('ink-testing-library')
const { mount } = await import('./testing.ts')
const { MemorySource, degradedSnapshot } = await import('./fixtures.ts')

afterEach(() => { cleanup() })

const ESC = '\x1b['

describe('colour', () => {
  it('colour on: states, selection and dim rows are styled', async () => {
    const m = mount({ source: new MemorySource(degradedSnapshot()), colour: true })
    const f = await m.waitFor((x) => x.includes('DEGRADED'), 'frame')
    expect(f).toContain(ESC)
    expect(f).toMatch(/\x1b\[3[0-9]m! 1 DEGRADED/) // a foreground colour on the count
    expect(f).toContain('\x1b[7m') // inverse on the selected row
    const p = await m.press('2', (x) => x.includes('Old laptop'), 'peers')
    expect(p).toMatch(/\x1b\[2m[^\n]*Old laptop/) // revoked member dimmed
  })

  it('colour off: the same screens without any escape code', async () => {
    const m = mount({ source: new MemorySource(degradedSnapshot()), colour: false })
    await m.waitFor((x) => x.includes('DEGRADED'), 'frame')
    for (const k of ['2', '3', '4']) await m.press(k, (x) => x.includes(`[${k} `), `view ${k}`)
    for (const frame of m.frames) expect(frame).not.toContain('\x1b')
  })
})
