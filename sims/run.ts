/**
 * The scenario suite: every scenario under several seeds, a pass/fail table, exit 1 on failure.
 *
 *   node sims/run.ts                                  all scenarios, seeds 1..3
 *   node sims/run.ts --seeds 10 --from 100            seeds 100..109
 *   node sims/run.ts --scenario shoot --seed 1234     one run (what a failure prints)
 *   node sims/run.ts ... --days 2                     shorter runs (shoot: days of the shoot; units: units away)
 *   node sims/run.ts ... --write                     also write the table to sims/results/
 *   node sims/run.ts ... --trace                      print every run's step trace
 *   node sims/run.ts ... --verbose                    print the trace live
 */
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { runScenario, type Result } from './harness/runner.ts'
import { KNOWN_FAILING, SCENARIOS } from './scenarios/index.ts'

const args = process.argv.slice(2)
const opt = (k: string): string | undefined => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : undefined }
const only = opt('--scenario')
const seed = opt('--seed')
const n = Number(opt('--seeds') ?? 3)
const from = Number(opt('--from') ?? 1)
const days = opt('--days') === undefined ? undefined : Number(opt('--days'))
const seeds = seed !== undefined ? [Number(seed)] : Array.from({ length: n }, (_, i) => from + i)
const list = only ? [...SCENARIOS, ...KNOWN_FAILING].filter((s) => s.name === only) : SCENARIOS
if (list.length === 0) { console.error(`no scenario "${only}" (have: ${[...SCENARIOS, ...KNOWN_FAILING].map((s) => s.name).join(', ')})`); process.exit(2) }

const results: Result[] = []
const t0 = Date.now()
for (const sc of list) {
  for (const s of seeds) {
    const r = await runScenario(sc, s, { verbose: args.includes('--verbose'), days })
    results.push(r)
    console.log(`${r.ok ? 'pass' : 'FAIL'}  ${sc.name} seed ${s}  ${r.seconds.toFixed(1)} s`)
    if (args.includes('--trace')) console.log(r.trace.map((l) => `    ${l}`).join('\n'))
    if (!r.ok) {
      console.log(`      ${r.failure!.split('\n').join('\n      ')}`)
      console.log(`      last steps:\n${r.trace.slice(-6).map((l) => `        ${l}`).join('\n')}`)
      console.log(`      reproduce: ${r.reproduce}`)
    }
  }
}
const kib = (b: number) => `${(b / 1024).toFixed(0)} KiB`
const lines: string[] = []
const out = (l: string) => { lines.push(l); console.log(l) }
console.log('')
out('| scenario | seed | result | time | steps | invariant checks | cards | log events | bytes on the wire | state transitions seen |')
out('|---|---|---|---|---|---|---|---|---|---|')
for (const r of results) out(`| ${r.scenario} | ${r.seed} | ${r.ok ? 'pass' : '**FAIL**'} | ${r.seconds.toFixed(1)} s | ${r.steps} | ${r.checks} | ${r.cards} | ${r.events} | ${kib(r.wireBytes)} | ${r.transitions} |`)
const failed = results.filter((r) => !r.ok)
out(`\n${results.length - failed.length}/${results.length} passed in ${((Date.now() - t0) / 1000).toFixed(0)} s`)
for (const f of failed) out(`reproduce: ${f.reproduce}`)
if (args.includes('--write')) {
  // the table, with the command that made it, into sims/results/ (named by the scenarios and seeds)
  const name = `sims-${only ?? 'all'}-seeds-${seeds[0]}-${seeds[seeds.length - 1]}${days ? `-days-${days}` : ''}.md`
  const cmd = `node sims/run.ts ${args.filter((a) => a !== '--write' && a !== '--verbose' && a !== '--trace').join(' ')}`.trim()
  await fs.mkdir('sims/results', { recursive: true })
  await fs.writeFile(path.join('sims/results', name), `# Scenario suite\n\nMade by \`${cmd}\` on ${new Date().toISOString()} (${os.cpus().length} cores, shared machine).\n\n${lines.join('\n')}\n`)
  console.log(`wrote sims/results/${name}`)
}
process.exit(failed.length ? 1 : 0)
