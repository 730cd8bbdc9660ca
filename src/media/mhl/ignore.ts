/**
 * ASC MHL <ignore> patterns. The reference tool reads them as gitignore ("wildmatch") patterns;
 * onset implements the subset cards need:
 *
 *   name        no slash: matches a file or directory of that name at any depth
 *   name/       trailing slash: matches directories only
 *   a/b, /a     a slash inside or in front: anchored at the history root
 *   *  ?  [..]  wildcards within one path component; ** spans components
 *   !pattern    re-includes what an earlier pattern excluded (the last matching pattern wins)
 *
 * A path inside an ignored directory is ignored.
 */

interface Rule { re: RegExp, dirOnly: boolean, anchored: boolean, negate: boolean }

function globToRegExp(glob: string): string {
  let out = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++
        if (glob[i + 1] === '/') { i++; out += '(?:.*/)?' } else out += '.*'
      } else out += '[^/]*'
    } else if (c === '?') out += '[^/]'
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2)
      if (end < 0) out += '\\['
      else {
        let cls = glob.slice(i + 1, end)
        if (cls.startsWith('!')) cls = '^' + cls.slice(1)
        out += '[' + cls.replace(/\\/g, '\\\\') + ']'
        i = end
      }
    } else if (c === '\\' && i + 1 < glob.length) {
      i++
      out += glob[i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
  }
  return out
}

function compileRule(pattern: string): Rule | null {
  let p = pattern.trim()
  if (!p || p.startsWith('#')) return null
  const negate = p.startsWith('!')
  if (negate) p = p.slice(1)
  const dirOnly = p.endsWith('/')
  if (dirOnly) p = p.replace(/\/+$/, '')
  const anchored = p.includes('/')
  p = p.replace(/^\//, '')
  if (!p) return null
  return { re: new RegExp('^' + globToRegExp(p) + '$', 'u'), dirOnly, anchored, negate }
}

export type IgnoreTest = (relPath: string, isDir: boolean) => boolean

/** Compile patterns to a test: true when `relPath` (POSIX, relative to the root) is ignored. */
export function compileIgnore(patterns: readonly string[]): IgnoreTest {
  const rules = patterns.map(compileRule).filter((r): r is Rule => r !== null)
  const matchOne = (rel: string, isDir: boolean): boolean | null => {
    let verdict: boolean | null = null
    const name = rel.slice(rel.lastIndexOf('/') + 1)
    for (const r of rules) {
      if (r.dirOnly && !isDir) continue
      if (r.re.test(r.anchored ? rel : name)) verdict = !r.negate
    }
    return verdict
  }
  return (relPath, isDir) => {
    const parts = relPath.split('/').filter(Boolean)
    // an ignored ancestor directory hides everything below it
    for (let i = 1; i < parts.length; i++) {
      if (matchOne(parts.slice(0, i).join('/'), true) === true) return true
    }
    return matchOne(parts.join('/'), isDir) === true
  }
}
