/**
 * A small typed event emitter with a bounded backlog, so a late subscriber (a dashboard that
 * attaches after the peer started) can replay recent history. `E` maps event names to payloads.
 */
export type Listener<T> = (payload: T) => void

export interface BacklogEntry<E> {
  seq: number
  type: keyof E & string
  payload: E[keyof E]
}

export class TypedEmitter<E extends Record<string, unknown>> {
  private readonly listeners = new Map<keyof E, Set<Listener<never>>>()
  private readonly anyListeners = new Set<(entry: BacklogEntry<E>) => void>()
  private readonly backlog: BacklogEntry<E>[] = []
  private seq = 0
  private readonly backlogSize: number

  constructor(opts: { backlog?: number } = {}) {
    this.backlogSize = opts.backlog ?? 0
  }

  on<K extends keyof E & string>(type: K, fn: Listener<E[K]>): () => void {
    let set = this.listeners.get(type)
    if (!set) this.listeners.set(type, (set = new Set()))
    set.add(fn as Listener<never>)
    return () => set.delete(fn as Listener<never>)
  }

  /** Subscribe to every event; with `replay`, first receive the backlog in order. */
  onAny(fn: (entry: BacklogEntry<E>) => void, opts: { replay?: boolean } = {}): () => void {
    if (opts.replay) for (const e of this.backlog) fn(e)
    this.anyListeners.add(fn)
    return () => this.anyListeners.delete(fn)
  }

  emit<K extends keyof E & string>(type: K, payload: E[K]): void {
    const entry: BacklogEntry<E> = { seq: ++this.seq, type, payload }
    if (this.backlogSize > 0) {
      this.backlog.push(entry)
      if (this.backlog.length > this.backlogSize) this.backlog.shift()
    }
    const set = this.listeners.get(type)
    if (set) for (const fn of [...set]) (fn as Listener<E[K]>)(payload)
    for (const fn of [...this.anyListeners]) fn(entry)
  }

  recent(): readonly BacklogEntry<E>[] {
    return this.backlog
  }

  removeAll(): void {
    this.listeners.clear()
    this.anyListeners.clear()
  }
}
