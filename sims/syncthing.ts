/**
 * Syncthing, driven the way shared/anchors measures it, for same-run comparisons: two fresh
 * instances on 127.0.0.1 with every discovery, relay, NAT and announce option off and explicit
 * addresses. A shares the card send-only; B receives it receive-only into an empty folder.
 * A starts first and scans (hashes) the card; once A is idle with every file indexed, B starts
 * and the clock runs until B's own folder status says everything is in sync. That is the
 * anchors' headline "syncthing" figure (transfer after the sender has scanned); the scan time
 * is reported beside it. Both processes are stopped by their PIDs (SIGTERM, then SIGKILL).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { promises as fs, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { run } from './lib.ts'

export interface SyncthingResult { seconds: number, scanSeconds: number, cpu: number, version: string }

/** User + system CPU seconds of a process and its descendants (syncthing runs a monitor parent and a worker child). */
function cpuOf(pid: number): number {
  const stats = new Map<number, { ppid: number, cpu: number }>()
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const f = readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ')
      stats.set(Number(d), { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / 100 })
    } catch { /* gone */ }
  }
  let total = 0
  const todo = [pid]
  for (let i = 0; i < todo.length && i < 10_000; i++) {
    const p = todo[i]!
    total += stats.get(p)?.cpu ?? 0
    for (const [c, s] of stats) if (s.ppid === p) todo.push(c)
  }
  return total
}

interface Instance { name: string, home: string, id: string, port: number, gui: number, key: string, proc: ChildProcess | null }

function config(me: Instance, other: Instance, folder: { path: string, type: 'sendonly' | 'receiveonly' }): string {
  return `<configuration version="36">
    <folder id="card" label="card" path="${folder.path}" type="${folder.type}" rescanIntervalS="0" fsWatcherEnabled="false" autoNormalize="true">
        <device id="${me.id}"></device>
        <device id="${other.id}"></device>
    </folder>
    <device id="${me.id}" name="${me.name}" compression="metadata"><address>dynamic</address></device>
    <device id="${other.id}" name="${other.name}" compression="metadata"><address>tcp://127.0.0.1:${other.port}</address></device>
    <gui enabled="true" tls="false"><address>127.0.0.1:${me.gui}</address><apikey>${me.key}</apikey></gui>
    <options>
        <listenAddress>tcp://127.0.0.1:${me.port}</listenAddress>
        <globalAnnounceEnabled>false</globalAnnounceEnabled>
        <localAnnounceEnabled>false</localAnnounceEnabled>
        <relaysEnabled>false</relaysEnabled>
        <natEnabled>false</natEnabled>
        <urAccepted>-1</urAccepted>
        <crashReportingEnabled>false</crashReportingEnabled>
        <autoUpgradeIntervalH>0</autoUpgradeIntervalH>
        <startBrowser>false</startBrowser>
        <announceLANAddresses>false</announceLANAddresses>
        <setLowPriority>false</setLowPriority>
    </options>
</configuration>
`
}

async function api(i: Instance, p: string): Promise<Record<string, unknown> | null> {
  try {
    const r = await fetch(`http://127.0.0.1:${i.gui}${p}`, { headers: { 'X-API-Key': i.key }, signal: AbortSignal.timeout(5000) })
    return r.ok ? (await r.json()) as Record<string, unknown> : null
  } catch { return null }
}

async function until(what: string, fn: () => Promise<boolean>, ms: number, proc: ChildProcess[]): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await fn())) {
    for (const p of proc) if (p.exitCode !== null) throw new Error(`syncthing exited while waiting for ${what}`)
    if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

async function stop(p: ChildProcess | null): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return
  const exited = new Promise<void>((r) => p.once('exit', () => r()))
  p.kill('SIGTERM')
  const t = setTimeout(() => p.kill('SIGKILL'), 15_000)
  await exited
  clearTimeout(t)
}

/** Sync `cardDir` (files, bytes known) from a fresh A to a fresh B into `target`; `work` is scratch. */
export async function syncthingTransfer(o: { cardDir: string, target: string, work: string, files: number, bytes: number, basePort: number, timeoutMs?: number }): Promise<SyncthingResult> {
  const version = (await run('syncthing', ['--version'])).stdout.split(' ')[1] ?? '?'
  const mk = async (name: string, n: number): Promise<Instance> => {
    const home = path.join(o.work, name)
    await fs.mkdir(home, { recursive: true })
    await run('syncthing', ['generate', `--home=${home}`, '--no-default-folder', '--skip-port-probing'])
    const id = (await run('syncthing', ['serve', `--home=${home}`, '--device-id'])).stdout.trim()
    return { name, home, id, port: o.basePort + n, gui: o.basePort + 10 + n, key: randomBytes(16).toString('hex'), proc: null }
  }
  const a = await mk('a', 1), b = await mk('b', 2)
  await fs.mkdir(o.target, { recursive: true })
  const markers = [path.join(o.cardDir, '.stfolder'), path.join(o.target, '.stfolder')]
  for (const m of markers) await fs.mkdir(m, { recursive: true })
  await fs.writeFile(path.join(a.home, 'config.xml'), config(a, b, { path: o.cardDir, type: 'sendonly' }))
  await fs.writeFile(path.join(b.home, 'config.xml'), config(b, a, { path: o.target, type: 'receiveonly' }))
  const start = (i: Instance) => {
    i.proc = spawn('syncthing', ['serve', `--home=${i.home}`, '--no-browser', '--no-restart', '--no-upgrade', '--logflags=0'], { stdio: 'ignore', env: { ...process.env, STNODEFAULTFOLDER: '1', STNOUPGRADE: '1' } })
    return i.proc
  }
  const limit = o.timeoutMs ?? 600_000
  try {
    const t0 = Date.now()
    const pa = start(a)
    await until('A to index the card', async () => {
      const s = await api(a, '/rest/db/status?folder=card')
      return s?.state === 'idle' && s.localFiles === o.files && Number(s.localBytes) >= o.bytes
    }, limit, [pa])
    const scanSeconds = (Date.now() - t0) / 1000
    const cpuA0 = cpuOf(pa.pid!)
    const t1 = Date.now()
    const pb = start(b)
    await until('B to hold the whole card', async () => {
      const s = await api(b, '/rest/db/status?folder=card')
      return s?.state === 'idle' && s.needFiles === 0 && s.needBytes === 0 && s.inSyncFiles === o.files && Number(s.inSyncBytes) >= o.bytes
    }, limit, [pa, pb])
    const seconds = (Date.now() - t1) / 1000
    const cpu = cpuOf(pb.pid!) + (cpuOf(pa.pid!) - cpuA0)
    return { seconds, scanSeconds, cpu, version }
  } finally {
    await stop(b.proc)
    await stop(a.proc)
    for (const m of markers) await fs.rm(m, { recursive: true, force: true })
  }
}
