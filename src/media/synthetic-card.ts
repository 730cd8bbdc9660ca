/**
 * Synthetic camera cards for the demo, tests, simulations and benchmarks: deterministic (the same
 * seed gives the same bytes), incompressible, laid out like a real card:
 *
 *   <root>/<card>/Clips/<card>C001_<date>_R<roll>.mxf     clips: an MXF partition-pack key, then essence
 *   <root>/<card>/Clips/<card>C001_<date>_R<roll>.xml     a per-clip XML sidecar (reel, timecode, camera)
 *   <root>/<card>/Sidecar/LUT_<n>.cube, audio_<n>.wav …   small sidecar files (4–32 KiB)
 *   <root>/<card>/CARDINFO.xml                           card metadata
 *
 * Bytes come from libsodium's deterministic generator (crypto/identity.ts deterministicBytes),
 * written in 1 MiB pieces, so memory stays flat however large the card.
 */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { blake2b256 } from '../crypto/hashes.ts'
import { deterministicBytes } from '../crypto/identity.ts'

export interface SyntheticCardOptions {
  root: string
  card: string
  /** number of clips */
  clips: number
  /** bytes per clip (each clip varies by up to ±10% around this, deterministically) */
  clipBytes: number
  /** number of small sidecar files besides the per-clip XML */
  sidecars: number
  seed?: string
  /** the date written into names, yymmdd */
  date?: string
}

const MXF_KEY = Buffer.from('060e2b34020501010d01020101020400', 'hex') // header partition pack key

export interface SyntheticCard {
  dir: string
  files: { path: string, size: number }[]
  bytes: number
}

function rngFor(seed: string, label: string): Buffer {
  return blake2b256(Buffer.from(`${seed}\0${label}`))
}

async function writeDeterministic(file: string, size: number, seed: Buffer, header?: Buffer): Promise<void> {
  const fh = await fs.open(file, 'w')
  try {
    let written = 0
    let i = 0
    const piece = 1024 * 1024
    if (header && size >= header.length) {
      await fh.write(header)
      written = header.length
    }
    while (written < size) {
      const n = Math.min(piece, size - written)
      const s = Buffer.from(seed); s.writeUInt32BE(i++, 0)
      await fh.write(deterministicBytes(n, s))
      written += n
    }
  } finally {
    await fh.close()
  }
}

export async function makeSyntheticCard(o: SyntheticCardOptions): Promise<SyntheticCard> {
  const seed = o.seed ?? 'onset-synthetic-card'
  const date = o.date ?? '261124'
  const dir = path.join(o.root, o.card)
  const roll = rngFor(seed, o.card).toString('hex').slice(0, 4).toUpperCase()
  await fs.mkdir(path.join(dir, 'Clips'), { recursive: true })
  await fs.mkdir(path.join(dir, 'Sidecar'), { recursive: true })
  const files: { path: string, size: number }[] = []
  const add = (rel: string, size: number) => files.push({ path: rel, size })

  for (let c = 1; c <= o.clips; c++) {
    const base = `${o.card}C${String(c).padStart(3, '0')}_${date}_R${roll}`
    const r = rngFor(seed, `${o.card}/${c}`)
    const jitter = ((r.readUInt16BE(0) / 0xffff) * 0.2 - 0.1)
    const size = Math.max(MXF_KEY.length, Math.round(o.clipBytes * (1 + jitter)))
    await writeDeterministic(path.join(dir, 'Clips', base + '.mxf'), size, r, MXF_KEY)
    add(`Clips/${base}.mxf`, size)
    const tc = `${String(10 + c).padStart(2, '0')}:${String((c * 7) % 60).padStart(2, '0')}:00:00`
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<ClipMetadata>\n  <Reel>${o.card}</Reel>\n  <Clip>${base}</Clip>\n  <StartTimecode>${tc}</StartTimecode>\n  <Camera model="SYNTHETIC-CAM" serial="${roll}"/>\n  <Codec>ProRes 4444 XQ</Codec>\n  <FrameRate>23.976</FrameRate>\n  <Bytes>${size}</Bytes>\n</ClipMetadata>\n`
    await fs.writeFile(path.join(dir, 'Clips', base + '.xml'), xml)
    add(`Clips/${base}.xml`, Buffer.byteLength(xml))
  }
  const kinds = ['LUT', 'audio', 'report', 'still']
  const exts = ['.cube', '.wav', '.pdf', '.jpg']
  for (let s = 1; s <= o.sidecars; s++) {
    const k = (s - 1) % kinds.length
    const r = rngFor(seed, `${o.card}/sidecar/${s}`)
    const size = 4096 + (r.readUInt16BE(0) % (28 * 1024))
    const rel = `Sidecar/${kinds[k]}_${String(s).padStart(2, '0')}${exts[k]}`
    await writeDeterministic(path.join(dir, rel), size, r)
    add(rel, size)
  }
  const info = `<?xml version="1.0" encoding="UTF-8"?>\n<CardInfo reel="${o.card}" roll="${roll}" clips="${o.clips}" date="${date}"/>\n`
  await fs.writeFile(path.join(dir, 'CARDINFO.xml'), info)
  add('CARDINFO.xml', Buffer.byteLength(info))
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return { dir, files, bytes: files.reduce((n, f) => n + f.size, 0) }
}
