import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawn } from 'node:child_process'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { OnsetError } from '../base/errors.ts'
import { generateIdentity } from './identity.ts'
import { ProductionKey } from './ids.ts'
import { atomicWrite, readKeyFile, writeKeyFile, type KeyFileContents } from './keyfile.ts'
import { ProductionSecrets } from './secrets.ts'

let dir: string
beforeEach(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'onset-keyfile-')) })
afterEach(async () => { await fs.rm(dir, { recursive: true, force: true }) })

function contents(): KeyFileContents {
  const s = ProductionSecrets.create()
  s.addEpoch(1, Buffer.alloc(32, 9))
  return { identity: generateIdentity(), productions: [{ key: ProductionKey.fromBytes(Buffer.alloc(32, 1)), name: 'Night Shoot', ns: 'ab'.repeat(32), secrets: s }] }
}

async function expectCode(p: Promise<unknown>, code: string, re?: RegExp): Promise<OnsetError> {
  try { await p } catch (e) {
    expect(e).toBeInstanceOf(OnsetError)
    expect((e as OnsetError).code).toBe(code)
    if (re) expect((e as OnsetError).line()).toMatch(re)
    expect((e as OnsetError).line()).not.toContain('\n')
    return e as OnsetError
  }
  throw new Error(`expected ${code}`)
}

async function snapshot(file: string) {
  const st = await fs.stat(file)
  return { bytes: await fs.readFile(file), mode: st.mode, mtime: st.mtimeMs }
}

describe('key files', () => {
  it('round trips sealed and unprotected files, mode 0600', async () => {
    const c = contents()
    for (const [name, pass] of [['a.key', 'correct horse'], ['b.key', null]] as const) {
      const f = path.join(dir, name)
      await writeKeyFile(f, c, pass, { kdf: 'interactive' })
      expect((await fs.stat(f)).mode & 0o777).toBe(0o600)
      const back = await readKeyFile(f, pass ?? undefined)
      expect(back.identity.peerKey).toBe(c.identity.peerKey)
      expect(back.identity.secretKey.equals(c.identity.secretKey)).toBe(true)
      expect(back.productions[0]!.name).toBe('Night Shoot')
      expect(back.productions[0]!.secrets.dataKey(1).equals(c.productions[0]!.secrets.dataKey(1))).toBe(true)
      expect(back.productions[0]!.secrets.root.equals(c.productions[0]!.secrets.root)).toBe(true)
    }
  })

  it('wrong passphrase: one clear error, file unchanged', async () => {
    const f = path.join(dir, 'k.key')
    await writeKeyFile(f, contents(), 'right', { kdf: 'interactive' })
    const before = await snapshot(f)
    await expectCode(readKeyFile(f, 'wrong'), 'WRONG_PASSPHRASE', /wrong passphrase/)
    expect(await snapshot(f)).toEqual(before)
  })

  it('a sealed file without a passphrase source says so', async () => {
    const f = path.join(dir, 'k.key')
    await writeKeyFile(f, contents(), 'right', { kdf: 'interactive' })
    await expectCode(readKeyFile(f, undefined), 'NO_PASSPHRASE_SOURCE', /ONSET_PASSPHRASE/)
  })

  it('truncated files at every length are refused, unchanged', async () => {
    for (const pass of ['pw', null] as const) {
      const f = path.join(dir, `t-${pass}.key`)
      await writeKeyFile(f, contents(), pass, { kdf: 'interactive' })
      const full = await fs.readFile(f)
      for (const cut of [0, 1, 20, Math.floor(full.length / 2), full.length - 30, full.length - 3]) {
        await fs.writeFile(f, full.subarray(0, cut))
        const before = await snapshot(f)
        const err = await expectCode(readKeyFile(f, pass ?? undefined), cut < full.length - 3 ? 'KEYFILE_CORRUPT' : 'KEYFILE_CORRUPT')
        expect(err.message).toContain(f)
        expect(await snapshot(f)).toEqual(before)
      }
    }
  })

  it('a tampered byte in payload or header is detected (sealed: AEAD; unprotected: check value)', async () => {
    for (const pass of ['pw', null] as const) {
      const f = path.join(dir, `x-${pass}.key`)
      await writeKeyFile(f, contents(), pass, { kdf: 'interactive' })
      const env = JSON.parse(await fs.readFile(f, 'utf8'))
      const p = Buffer.from(env.payload, 'base64'); p[5]! ^= 1
      await fs.writeFile(f, JSON.stringify({ ...env, payload: p.toString('base64') }))
      await expectCode(readKeyFile(f, pass ?? undefined), pass ? 'WRONG_PASSPHRASE' : 'KEYFILE_CORRUPT', pass ? /altered/ : /check value/)
      // header edit: another peer key
      const other = generateIdentity().peerKey
      await fs.writeFile(f, JSON.stringify({ ...env, peer: other }))
      await expectCode(readKeyFile(f, pass ?? undefined), pass ? 'WRONG_PASSPHRASE' : 'KEYFILE_CORRUPT')
    }
  })

  it('a hostile KDF cost is refused before hashing', async () => {
    const f = path.join(dir, 'k.key')
    await writeKeyFile(f, contents(), 'pw', { kdf: 'interactive' })
    const env = JSON.parse(await fs.readFile(f, 'utf8'))
    env.kdf.memlimit = 64 * 1024 * 1024 * 1024
    await fs.writeFile(f, JSON.stringify(env))
    await expectCode(readKeyFile(f, 'pw'), 'KEYFILE_CORRUPT', /out of range/)
  })

  it('a wrong format version names both versions', async () => {
    const f = path.join(dir, 'k.key')
    await writeKeyFile(f, contents(), null)
    const env = JSON.parse(await fs.readFile(f, 'utf8'))
    await fs.writeFile(f, JSON.stringify({ ...env, version: 2 }))
    await expectCode(readKeyFile(f, undefined), 'KEYFILE_VERSION', /version 2.*version 1/)
  })

  it('group- or world-readable files are refused with the chmod to run, unchanged', async () => {
    const f = path.join(dir, 'k.key')
    await writeKeyFile(f, contents(), null)
    for (const mode of [0o644, 0o640, 0o604, 0o660]) {
      await fs.chmod(f, mode)
      const before = await snapshot(f)
      await expectCode(readKeyFile(f, undefined), 'KEYFILE_PERMISSIONS', /chmod 600/)
      expect(await snapshot(f)).toEqual(before)
    }
  })

  it('missing file and not-a-key-file', async () => {
    await expectCode(readKeyFile(path.join(dir, 'none.key'), undefined), 'KEYFILE_MISSING')
    const f = path.join(dir, 'x.key')
    await fs.writeFile(f, '{"hello":1}', { mode: 0o600 })
    await expectCode(readKeyFile(f, undefined), 'KEYFILE_CORRUPT', /not an onset key file/)
  })

  it('writes are atomic: an existing file is never replaced without replace, and no temp files remain', async () => {
    const f = path.join(dir, 'k.key')
    await writeKeyFile(f, contents(), null)
    const before = await fs.readFile(f)
    await expectCode(writeKeyFile(f, contents(), null), 'ALREADY_EXISTS')
    expect((await fs.readFile(f)).equals(before)).toBe(true)
    await writeKeyFile(f, contents(), null, { replace: true })
    expect((await fs.readFile(f)).equals(before)).toBe(false)
    expect((await fs.readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([])
  })

  it('a failed write leaves the previous file intact', async () => {
    const f = path.join(dir, 'k.key')
    await writeKeyFile(f, contents(), null)
    const before = await fs.readFile(f)
    // a directory in the way of the temp file's rename target makes the write fail after the temp file
    await expect(atomicWrite(path.join(dir, 'sub', 'k.key'), Buffer.from('x'), { replace: true })).resolves.toBeUndefined()
    await fs.mkdir(path.join(dir, 'blocker.key'))
    await expect(atomicWrite(path.join(dir, 'blocker.key'), Buffer.from('new'), { replace: true })).rejects.toThrow()
    expect((await fs.readFile(f)).equals(before)).toBe(true)
    expect((await fs.readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([])
  })

  it('kill -9 at seeded points during rewrites never leaves a broken key file', async () => {
    const f = path.join(dir, 'crash.key')
    const node = process.execPath
    const script = path.resolve('test/fixtures/keyfile-writer.ts')
    let rng = 12345
    for (let round = 0; round < 4; round++) {
      rng = (rng * 1103515245 + 12345) % 2 ** 31
      const killAfter = 1 + (rng % 20)
      const child = spawn(node, [script, f], { stdio: ['ignore', 'pipe', 'inherit'] })
      await new Promise<void>((resolve, reject) => {
        let lines = 0
        const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('writer made no progress in 20 s')) }, 20_000)
        child.stdout.on('data', (d: Buffer) => {
          lines += d.toString().split('\n').length - 1
          if (lines >= killAfter) { clearTimeout(timer); child.kill('SIGKILL') }
        })
        child.on('exit', () => { clearTimeout(timer); resolve() })
      })
      const c = await readKeyFile(f, undefined)
      expect(c.identity.peerKey).toMatch(/^[0-9a-f]{64}$/)
    }
  })
})
