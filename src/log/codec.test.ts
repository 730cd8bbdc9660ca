// Seeded property tests over the event codec: random and mutated events are rejected with a
// reason, never crash; valid events survive a JSON round trip unchanged.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeEvent, EVENT_TYPES } from './events.ts'

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/)
const valid = [
  { v: 1, type: 'card.registered', at: 5, card: 'A001', files: 3, bytes: 100, label: 'A cam' },
  { v: 1, type: 'file.recorded', at: 5, card: 'A001', path: 'Clips/A001C001.mxf', size: 3, mtime: 1, hashes: { xxh64: '584b2ea1974f2b7c', xxh128: '61a67c014f703a456ee7a776fd8c06bd' }, chunks: { cores: ['ab'.repeat(32)], list: [['cd'.repeat(32), 0, 7, 3]] }, epoch: 0 },
  { v: 1, type: 'copy.verified', at: 5, card: 'A001', path: 'x.mxf', location: { kind: 'dest', peer: 'ef'.repeat(32), path: '/mnt/shuttle/A001', volume: 'SHUTTLE-1' }, result: 'failed', hashes: { xxh64: '0000000000000001' }, detail: 'xxh64 differs' },
  { v: 1, type: 'alert.raised', at: 5, kind: 'disk', severity: 'critical', message: 'RAID degraded', subject: 'lab' },
]

describe('event codec', () => {
  it('accepts the valid samples unchanged through a JSON round trip', () => {
    for (const v of valid) {
      const d = decodeEvent(JSON.parse(JSON.stringify(v)))
      expect(d).toEqual({ ok: true, event: v })
    }
  })

  it('random values are rejected with a reason, never a throw (seeded)', () => {
    fc.assert(fc.property(fc.anything(), (x) => {
      const d = decodeEvent(x)
      if (!d.ok) expect(d.reason.length).toBeGreaterThan(0)
    }), { seed: 1234, numRuns: 3000 })
  })

  it('random objects with a known type and random fields are handled (seeded)', () => {
    fc.assert(fc.property(fc.constantFrom(...EVENT_TYPES), fc.dictionary(fc.string({ maxLength: 12 }), fc.anything(), { maxKeys: 12 }), (type, fields) => {
      const d = decodeEvent({ ...fields, v: 1, type, at: 1 })
      if (!d.ok) expect(typeof d.reason).toBe('string')
    }), { seed: 99, numRuns: 3000 })
  })

  it('mutating one field of a valid event never crashes, and type confusion is caught (seeded)', () => {
    const mutants = fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer(), fc.double(), fc.string(), hex64, fc.array(fc.anything(), { maxLength: 3 }), fc.object(), fc.constant('../../etc/passwd'), fc.constant('x'.repeat(100_000)))
    fc.assert(fc.property(fc.constantFrom(...valid), fc.nat(), mutants, (ev, idx, m) => {
      const keys = Object.keys(ev)
      const k = keys[idx % keys.length]!
      const mutated = { ...ev, [k]: m }
      const d = decodeEvent(mutated)
      if (d.ok) {
        // whatever was accepted must still be well-typed
        expect(typeof d.event.at).toBe('number')
        expect(EVENT_TYPES).toContain(d.event.type)
      } else {
        expect(d.reason).toMatch(/\w/)
      }
    }), { seed: 7, numRuns: 5000 })
  })

  it('paths that escape the card are rejected', () => {
    for (const path of ['../x', '/etc/passwd', 'a/../../b', 'a//b', 'a\\b', './a', 'a/.', '']) {
      const d = decodeEvent({ ...valid[1]!, path })
      expect(d.ok).toBe(false)
    }
  })

  it('oversized fields are rejected', () => {
    expect(decodeEvent({ ...valid[3]!, message: 'x'.repeat(5000) })).toMatchObject({ ok: false, reason: expect.stringMatching(/longer than/) })
    const list = Array.from({ length: 120_001 }, (_, i) => ['cd'.repeat(32), 0, i, 1])
    expect(decodeEvent({ ...valid[1]!, chunks: { cores: ['ab'.repeat(32)], list } })).toMatchObject({ ok: false })
  })
})
