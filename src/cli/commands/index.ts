/** Every command, one file each. */
import type { Command } from 'commander'
import type { Context } from '../context.ts'
import { register as dash } from './dash.ts'
import { register as demo } from './demo.ts'
import { register as exportCmd } from './export.ts'
import { register as init } from './init.ts'
import { register as invite } from './invite.ts'
import { register as joinCmd } from './join.ts'
import { register as peer } from './peer.ts'
import { register as log } from './log.ts'
import { register as member } from './member.ts'
import { register as mhl } from './mhl.ts'
import { register as bootstrap } from './bootstrap.ts'
import { register as note } from './note.ts'
import { register as offload } from './offload.ts'
import { register as policy } from './policy.ts'
import { register as production } from './production.ts'
import { register as report } from './report.ts'
import { register as safeToFormat } from './safe-to-format.ts'
import { register as status } from './status.ts'
import { register as verify } from './verify.ts'
import { register as whoami } from './whoami.ts'

export type Register = (program: Command, ctx: () => Context) => void

export const COMMANDS: Register[] = [init, whoami, production, member, invite, joinCmd, peer, policy, offload, verify, exportCmd, safeToFormat, status, report, log, note, mhl, dash, bootstrap, demo]
