/**
 * Sync benchmark: one generated card moved between two peers in separate processes on loopback.
 *
 *   node sims/bench-sync.ts [SIZE_MB=2048] [RUNS=2]
 *
 *   onset        `onset peer` on a DIT cart (card already offloaded into its vault) and on a lab
 *                that joined by invite; timed from the lab's start until it has received,
 *                decrypted and verified every chunk (keyed BLAKE2b) and every file (xxh64+xxh128)
 *                and recorded it. Encrypted end to end (Noise) and at rest (vault).
 *   rsync daemon `rsync -a --whole-file rsync://127.0.0.1:PORT/card/ target/` then `sync`
 *                (unencrypted; no verification beyond rsync's own transfer checksum)
 *   Syncthing    send-only A → receive-only B (sims/syncthing.ts: every discovery, relay and NAT
 *                option off, explicit 127.0.0.1 addresses), timed from B's start, after A has
 *                scanned, until B is in sync (TLS, SHA-256 per block, fsync); scan time beside it
 * Each copy is then checked byte for byte (the lab's by exporting it from its vault and comparing
 * with cmp). Prints MB/s, CPU seconds per GiB (both ends) and the ratios. Loopback only.
 * Runs alternate between the tools. A tool that is not installed is skipped, saying so.
 * ONSET_PROFILE_DIR=dir profiles the receiving peer of the first run (summary: sims/profile-summary.ts).
 */
import { spawn } from 'node:child_process'
import { promises as fs, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { makeSyntheticCard } from '../src/media/synthetic-card.ts'
import { exists, fmt, median, MiB, run, warm } from './lib.ts'
import { syncthingTransfer } from './syncthing.ts'

const sizeMb = Number(process.argv[2] ?? 2048)
const runs = Number(process.argv[3] ?? 2)
const root = await fs.mkdtemp(path.join(os.tmpdir(), 'onset-bench-sync-'))
const BIN = path.resolve('bin/onset.js')
const node = process.execPath

function cpuOf(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(f[11]) + Number(f[12])) / 100 // utime + stime in clock ticks
  } catch { return 0 }
}

/** ONSET_PROFILE_DIR=dir: the lab's peer (the receiver) writes a V8 CPU profile there (see sims/profile-summary.ts). */
const profileDir = process.env.ONSET_PROFILE_DIR

function startPeer(data: string, args: string[], profile = false) {
  const p = spawn(node, [...(profile && profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`] : []), BIN, '--data', data, '--json', 'peer', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: Record<string, unknown>[] = []
  let buf = ''
  const waiters: (() => void)[] = []
  p.stdout.on('data', (d: Buffer) => {
    buf += d.toString()
    let i
    while ((i = buf.indexOf('\n')) >= 0) { try { lines.push(JSON.parse(buf.slice(0, i))) } catch { /* not json */ } buf = buf.slice(i + 1) }
    for (const w of waiters.splice(0)) w()
  })
  p.stderr.on('data', () => {})
  const waitFor = (pred: (l: Record<string, unknown>[]) => boolean, ms: number) => new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timed out')), ms)
    const check = () => { if (pred(lines)) { clearTimeout(t); resolve() } else waiters.push(check) }
    check()
  })
  const stop = () => new Promise<void>((r) => { if (p.exitCode !== null) { r(); return } p.once('exit', () => r()); p.kill('SIGTERM'); setTimeout(() => p.kill('SIGKILL'), 15_000).unref() })
  return { p, lines, waitFor, stop }
}

try {
  const card = await makeSyntheticCard({ root: path.join(root, 'cards'), card: 'A001', clips: 4, clipBytes: Math.floor((sizeMb * MiB) / 4), sidecars: 30, seed: 'bench' })
  const mb = card.bytes / MiB
  console.log(`card: ${card.files.length} files, ${card.bytes} bytes (${fmt(mb, 0)} MB); ${runs} runs each; loopback; ${os.cpus().length} cores`)
  const res = { onset: [] as number[], onsetCpu: [] as number[], rsync: [] as number[], rsyncCpu: [] as number[], st: [] as number[], stCpu: [] as number[], stScan: [] as number[] }
  const haveSyncthing = await exists('syncthing')
  let stVersion = ''
  for (let i = 0; i < runs; i++) {
    const w = path.join(root, `run${i}`)
    const dit = path.join(w, 'dit'), lab = path.join(w, 'lab')
    await run(node, [BIN, '--data', dit, '--no-passphrase', 'init'])
    await run(node, [BIN, '--data', dit, 'production', 'create', 'bench'])
    await run(node, [BIN, '--data', dit, 'offload', card.dir, '--card', 'A001'])
    const token = JSON.parse((await run(node, [BIN, '--data', dit, '--json', 'invite', '--role', 'lab'])).stdout).token as string
    const d = startPeer(dit, ['--listen', '127.0.0.1:0', '--want', 'own'])
    await d.waitFor((l) => l.some((x) => x.event === 'started'), 30_000)
    const port = (d.lines.find((x) => x.event === 'started')!.listen as { port: number }).port
    await run(node, [BIN, '--data', lab, '--no-passphrase', 'init'])
    await run(node, [BIN, '--data', lab, 'join', token, '--connect', `127.0.0.1:${port}`])
    const ditCpu0 = cpuOf(d.p.pid!)
    const t0 = Date.now()
    const l = startPeer(lab, ['--connect', `127.0.0.1:${port}`], i === 0)
    await l.waitFor((ls) => ls.filter((x) => x.event === 'replica-received').length >= card.files.length, 600_000)
    const secs = (Date.now() - t0) / 1000
    const cpu = cpuOf(l.p.pid!) + (cpuOf(d.p.pid!) - ditCpu0)
    await l.stop(); await d.stop()
    // byte for byte: rebuild the lab's copy from its own vault and compare with the card
    await run(node, [BIN, '--data', lab, 'export', 'A001', path.join(w, 'labcopy')])
    await run('sh', ['-c', `cd '${card.dir}' && find . -type f | while read -r f; do cmp "$f" '${path.join(w, 'labcopy', 'A001')}/'"$f" || exit 1; done`])
    res.onset.push(secs); res.onsetCpu.push(cpu)
    await fs.rm(w, { recursive: true, force: true })
    if (haveSyncthing) {
      const target = path.join(root, `st${i}`)
      await warm(card.dir)
      const r = await syncthingTransfer({ cardDir: card.dir, target, work: path.join(root, `stwork${i}`), files: card.files.length, bytes: card.bytes, basePort: 23400 + (process.pid % 500) * 20 })
      await run('sh', ['-c', `diff -rq -x .stfolder -x .stversions '${card.dir}' '${target}'`])
      res.st.push(r.seconds); res.stCpu.push(r.cpu); res.stScan.push(r.scanSeconds); stVersion = r.version
      await fs.rm(target, { recursive: true, force: true })
      await fs.rm(path.join(root, `stwork${i}`), { recursive: true, force: true })
    }
  }
  if (!haveSyncthing) console.log('syncthing not installed: apt-get install syncthing (skipped)')
  if (await exists('rsync')) {
    const port = 22873 + (process.pid % 1000)
    const conf = path.join(root, 'rsyncd.conf')
    await fs.writeFile(conf, `address = 127.0.0.1\nport = ${port}\nuid = ${process.getuid?.() ?? 0}\ngid = ${process.getgid?.() ?? 0}\nuse chroot = no\nreverse lookup = no\nhosts allow = 127.0.0.1\npid file = ${root}/rsyncd.pid\n[card]\n  path = ${card.dir}\n  read only = yes\n`)
    const daemon = spawn('rsync', ['--daemon', '--no-detach', `--config=${conf}`], { stdio: 'ignore' })
    try {
      for (let t = 0; t < 50; t++) { if (await run('sh', ['-c', `rsync rsync://127.0.0.1:${port}/ >/dev/null 2>&1`]).then(() => true, () => false)) break; await new Promise((r) => setTimeout(r, 100)) }
      for (let i = 0; i < runs; i++) {
        const target = path.join(root, `rs${i}`)
        await warm(card.dir)
        const t0 = Date.now()
        const daemonCpu0 = cpuOf(daemon.pid!)
        const r = await run('rsync', ['-a', '--whole-file', `rsync://127.0.0.1:${port}/card/`, target + '/'])
        await run('sync', [])
        res.rsync.push((Date.now() - t0) / 1000); res.rsyncCpu.push(r.cpu + (cpuOf(daemon.pid!) - daemonCpu0))
        await run('sh', ['-c', `diff -rq '${card.dir}' '${target}'`])
        await fs.rm(target, { recursive: true, force: true })
      }
    } finally {
      daemon.kill('SIGTERM')
    }
  } else console.log('rsync not installed: apt-get install rsync')
  const gib = card.bytes / (1024 * MiB)
  console.log('\n| tool | median s | MB/s | CPU s per GiB (both ends) |')
  console.log('|---|---|---|---|')
  console.log(`| onset (encrypted, every byte verified, recorded) | ${fmt(median(res.onset), 2)} | ${fmt(mb / median(res.onset), 0)} | ${fmt(median(res.onsetCpu) / gib, 1)} |`)
  if (res.st.length) console.log(`| Syncthing ${stVersion} send-only → receive-only (TLS, SHA-256 per block), after its scan of ${fmt(median(res.stScan), 1)} s | ${fmt(median(res.st), 2)} | ${fmt(mb / median(res.st), 0)} | ${fmt(median(res.stCpu) / gib, 1)} |`)
  if (res.rsync.length) console.log(`| rsync daemon + sync (plain) | ${fmt(median(res.rsync), 2)} | ${fmt(mb / median(res.rsync), 0)} | ${fmt(median(res.rsyncCpu) / gib, 1)} |`)
  if (res.st.length) console.log(`\nonset / Syncthing: ${fmt(median(res.st) / median(res.onset), 2)}× (goal ≥ 1.0×)`)
  if (res.rsync.length) console.log(`onset / rsync daemon: ${fmt(median(res.rsync) / median(res.onset), 2)}× (on the way to 0.75×)`)
} finally {
  await fs.rm(root, { recursive: true, force: true })
}
