/** Every command, one file each. */
import type { Command } from 'commander'
import type { Context } from '../context.ts'
import { register as init } from './init.ts'
import { register as whoami } from './whoami.ts'

export type Register = (program: Command, ctx: () => Context) => void

export const COMMANDS: Register[] = [init, whoami]
