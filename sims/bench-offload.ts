/**
 * Offload benchmark (issue: two verified copies at ≥ 1.0× the manual way).
 *
 *   node sims/bench-offload.ts [SIZE_MB=2048] [RUNS=3]
 *
 * On one generated card (4 clips + 30 small sidecars, like shared/anchors), in one run:
 *   onset     `onset offload` into the encrypted vault + one plain destination: every copy
 *             fsynced, read back and verified, the source re-read, ASC MHL written, custody recorded
 *   cp -a     one plain copy, no verification (a floor, not a workflow)
 *   manual    `rsync -a --whole-file` to two folders, `sync`, `xxhsum -H64` over both copies
 * Warm page cache before each step (the card was just read), fresh targets, median of RUNS.
 * Prints MB/s (1 MB = 1,048,576 bytes), CPU seconds, onset's peak RSS, and the ratios.
 */
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { makeSyntheticCard } from '../src/media/synthetic-card.ts'
import { exists, fmt, fresh, median, MiB, run, warm } from './lib.ts'

const sizeMb = Number(process.argv[2] ?? 2048)
const runs = Number(process.argv[3] ?? 3)
const root = await fs.mkdtemp(path.join(os.tmpdir(), 'onset-bench-offload-'))
const BIN = path.resolve('bin/onset.js')
try {
  const sidecars = 30
  const clipBytes = Math.floor((sizeMb * MiB - sidecars * 18 * 1024) / 4)
  const card = await makeSyntheticCard({ root: path.join(root, 'cards'), card: 'A001', clips: 4, clipBytes, sidecars, seed: 'bench' })
  const mb = card.bytes / MiB
  console.log(`card: ${card.files.length} files, ${card.bytes} bytes (${fmt(mb, 0)} MB); ${runs} runs each, warm cache; machine: ${os.cpus().length} cores`)
  const haveRsync = await exists('rsync'), haveXxh = await exists('xxhsum')
  if (!haveRsync || !haveXxh) console.log('manual baseline needs rsync and xxhsum: apt-get install rsync xxhash')
  const res: Record<string, { s: number[], cpu: number[], rss: number[] }> = { onset: { s: [], cpu: [], rss: [] }, 'cp -a': { s: [], cpu: [], rss: [] }, manual: { s: [], cpu: [], rss: [] } }
  const env = { ...process.env, ONSET_DATA: path.join(root, 'data') }
  for (let i = 0; i < runs; i++) {
    // onset: a fresh production each run, so nothing is deduplicated against an earlier run
    await fs.rm(path.join(root, 'data'), { recursive: true, force: true })
    await run(process.execPath, [BIN, '--no-passphrase', 'init'], { env })
    await run(process.execPath, [BIN, 'production', 'create', 'bench'], { env })
    await fresh(path.join(root, 'o1'))
    await warm(card.dir)
    const o = await run(process.execPath, [BIN, 'offload', card.dir, '--card', 'A001', '--dest', path.join(root, 'o1')], { env })
    res.onset!.s.push(o.seconds); res.onset!.cpu.push(o.cpu); res.onset!.rss.push(o.maxRssMiB)

    await fresh(path.join(root, 'c1'))
    await warm(card.dir)
    const c = await run('cp', ['-a', card.dir, path.join(root, 'c1')])
    res['cp -a']!.s.push(c.seconds); res['cp -a']!.cpu.push(c.cpu)

    if (haveRsync && haveXxh) {
      await fresh(path.join(root, 'm1')); await fresh(path.join(root, 'm2'))
      await warm(card.dir)
      const t0 = Date.now()
      const r1 = await run('rsync', ['-a', '--whole-file', card.dir + '/', path.join(root, 'm1') + '/'])
      const r2 = await run('rsync', ['-a', '--whole-file', card.dir + '/', path.join(root, 'm2') + '/'])
      await run('sync', [])
      const h1 = await run('sh', ['-c', `cd '${path.join(root, 'm1')}' && find . -type f -print0 | xargs -0 xxhsum -H64 > /dev/null`])
      const h2 = await run('sh', ['-c', `cd '${path.join(root, 'm2')}' && find . -type f -print0 | xargs -0 xxhsum -H64 > /dev/null`])
      res.manual!.s.push((Date.now() - t0) / 1000); res.manual!.cpu.push(r1.cpu + r2.cpu + h1.cpu + h2.cpu)
    }
  }
  console.log('\n| tool | what it proves | median s | MB/s | CPU s | peak RSS MiB |')
  console.log('|---|---|---|---|---|---|')
  const row = (name: string, what: string) => {
    const r = res[name]!
    if (!r.s.length) return
    console.log(`| ${name} | ${what} | ${fmt(median(r.s), 2)} | ${fmt(mb / median(r.s), 0)} | ${fmt(median(r.cpu), 1)} | ${r.rss.length ? fmt(Math.max(...r.rss), 0) : '-'} |`)
  }
  row('onset', 'vault + 1 plain copy, both verified, fsynced, source re-read, MHL, custody log')
  row('manual', '2 plain copies (rsync ×2), sync, xxhsum -H64 of both')
  row('cp -a', '1 plain copy, nothing verified, not synced')
  const on = mb / median(res.onset!.s)
  if (res.manual!.s.length) console.log(`\nonset / manual two verified copies: ${fmt(on / (mb / median(res.manual!.s)), 2)}× (goal ≥ 1.0×)`)
  console.log(`onset / cp -a: ${fmt(on / (mb / median(res['cp -a']!.s)), 2)}×`)
} finally {
  await fs.rm(root, { recursive: true, force: true })
}
