import { spawnSync } from 'node:child_process'
import { promises as fs } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { OnsetError } from '../../base/errors.ts'
import { TypedEmitter } from '../../base/events.ts'
import { ControlClient } from './client.ts'
import { ControlServer } from './server.ts'

let dir: string
let server: ControlServer<{ tick: { n: number } }> | null = null
const events = new TypedEmitter<{ tick: { n: number } }>({ backlog: 3 })

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'onset-ctl-'))
  await fs.chmod(dir, 0o755) // the socket's own mode must be what protects it
})
afterEach(async () => {
  await server?.close()
  server = null
  await fs.rm(dir, { recursive: true, force: true })
})

async function start(): Promise<string> {
  const sock = path.join(dir, 'control.sock')
  server = new ControlServer({
    socketPath: sock,
    events,
    handlers: {
      echo: (p) => p,
      fail: () => { throw new OnsetError('NOT_FOUND', 'no such card A009', { hint: 'check the name' }) },
      bug: () => { throw new Error('boom') },
    },
  })
  await server.listen()
  return sock
}

describe('control socket', () => {
  it('answers calls, passes coded errors through, and survives a handler bug', async () => {
    const sock = await start()
    expect((await fs.stat(sock)).mode & 0o777).toBe(0o600)
    const c = await ControlClient.connect(sock)
    expect(await c.call('echo', { a: 1 })).toEqual({ a: 1 })
    await expect(c.call('fail')).rejects.toMatchObject({ code: 'NOT_FOUND', hint: 'check the name' })
    await expect(c.call('bug')).rejects.toThrow(/internal error in bug: boom/)
    await expect(c.call('nope')).rejects.toThrow(/unknown control method/)
    expect(await c.call('echo', 2)).toBe(2)
    c.close()
  })

  it('several clients at once; subscribers get the backlog and live events', async () => {
    const sock = await start()
    for (let n = 1; n <= 5; n++) events.emit('tick', { n })
    const a = await ControlClient.connect(sock)
    const b = await ControlClient.connect(sock)
    const seenA: number[] = []
    const seenB: number[] = []
    a.onEvent((e) => seenA.push((e.payload as { n: number }).n))
    b.onEvent((e) => seenB.push((e.payload as { n: number }).n))
    await a.subscribe({ replay: true })
    await b.subscribe()
    events.emit('tick', { n: 6 })
    await a.call('echo', 0); await b.call('echo', 0) // ordering: events before this answer
    expect(seenA).toEqual([3, 4, 5, 6])
    expect(seenB).toEqual([6])
    a.close(); b.close()
  })

  it('a client speaking another protocol version gets a clear error', async () => {
    const sock = await start()
    await expect(ControlClient.connect(sock, { protocol: 99 })).rejects.toMatchObject({ code: 'PROTOCOL_MISMATCH' })
  })

  it('malformed lines get an error, not a crash', async () => {
    const sock = await start()
    const raw = net.connect(sock)
    raw.setEncoding('utf8')
    const got = new Promise<string>((resolve) => raw.once('data', (d: string) => resolve(d)))
    raw.write('this is not json\n')
    expect(JSON.parse(await got).error.code).toBe('MALFORMED')
    raw.destroy()
    const c = await ControlClient.connect(sock)
    expect(await c.call('echo', 'still alive')).toBe('still alive')
    c.close()
  })

  it('a dead socket file from a crashed peer is recovered; a live one is LOCKED', async () => {
    const sock = path.join(dir, 'control.sock')
    // a crashed peer leaves a socket file nobody listens on
    const child = spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(sock)}, () => process.kill(process.pid, 'SIGKILL'))`])
    expect(child.signal).toBe('SIGKILL')
    expect((await fs.lstat(sock)).isSocket()).toBe(true)
    await start()
    const c = await ControlClient.connect(sock)
    expect(await c.call('echo', 1)).toBe(1)
    c.close()
    const second = new ControlServer({ socketPath: sock, handlers: {} })
    await expect(second.listen()).rejects.toMatchObject({ code: 'LOCKED' })
  })

  it('no peer running: PEER_UNREACHABLE', async () => {
    await expect(ControlClient.connect(path.join(dir, 'none.sock'))).rejects.toMatchObject({ code: 'PEER_UNREACHABLE' })
  })

  it("another user's process cannot connect", async (ctx) => {
    if (process.getuid?.() !== 0) ctx.skip() // needs root to run a process as another user
    const sock = await start()
    await fs.chmod(dir, 0o755)
    const r = spawnSync(process.execPath, ['-e', `
      const s = require('net').connect(${JSON.stringify(sock)});
      s.on('connect', () => { console.log('CONNECTED'); process.exit(0) });
      s.on('error', (e) => { console.log(e.code); process.exit(0) })`], { uid: 65534, gid: 65534, encoding: 'utf8', timeout: 10_000 })
    expect(r.stdout.trim()).toBe('EACCES')
  })
})
