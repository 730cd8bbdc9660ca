/** A small seeded PRNG (mulberry32) and helpers: every random choice a scenario makes comes from here. */
export class Rng {
  private s: number
  readonly seed: number

  constructor(seed: number) {
    this.seed = seed >>> 0
    this.s = this.seed ^ 0x9e3779b9
  }

  /** uniform in [0, 1) */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0)
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** integer in [lo, hi] */
  int(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)) }
  chance(p: number): boolean { return this.next() < p }
  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error('bug: pick from an empty list')
    return xs[Math.floor(this.next() * xs.length)]!
  }

  /** deterministic bytes (for media content and identity seeds) */
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n)
    for (let i = 0; i < n; i++) b[i] = Math.floor(this.next() * 256)
    return b
  }

  /** an independent stream derived from this one (so adding a choice in one place does not shift others) */
  fork(label: string): Rng {
    let h = this.seed
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0
    return new Rng(h)
  }
}
