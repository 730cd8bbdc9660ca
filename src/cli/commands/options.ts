import { OnsetError } from '../../base/errors.ts'
import { CardId } from '../../crypto/ids.ts'
import { HASH_ALGOS, isHashAlgo, type HashAlgo } from '../../crypto/hashes.ts'

export function intOption(name: string, v: string, min: number, max: number): number {
  const n = Number(v)
  if (!Number.isInteger(n) || n < min || n > max) throw new OnsetError('BAD_ARGUMENT', `${name} must be a whole number from ${min} to ${max}, not "${v}"`)
  return n
}

export function cardArg(v: string): CardId {
  return CardId.parse(v)
}

export function hashList(v: string | undefined): HashAlgo[] {
  if (!v) return []
  return v.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    if (!isHashAlgo(s)) throw new OnsetError('BAD_ARGUMENT', `unknown hash "${s}" (choose from ${HASH_ALGOS.join(', ')})`)
    return s
  })
}

export function collect(v: string, prev: string[]): string[] {
  return [...prev, v]
}
