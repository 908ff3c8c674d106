import type {TrailEvent} from './record.js'

// The keys and principals an investigation follows. The leaked keys are the
// seeds; every temporary key they mint (GetSessionToken, AssumeRole,
// GetFederationToken: a new ASIA id in the response) and every access key
// or user they create becomes a pivot, followed in turn: a session key keeps
// working after its parent key is disabled.

export type KeyOrigin =
  | {kind: 'leaked'}
  | {kind: 'session' | 'created'; parent: string; via: string; eventId: string; at: string; expires?: string; user?: string}

export interface KeyNode {
  accessKeyId: string
  origin: KeyOrigin
  /** 0 for a leaked key, 1 for what it minted, and so on. */
  depth: number
}

export interface CreatedUser {
  userName: string
  createdBy: string
  eventId: string
  at: string
}

export interface Learned {
  keys: KeyNode[]
  users: CreatedUser[]
}

export class Pivots {
  readonly keys = new Map<string, KeyNode>()
  readonly users = new Map<string, CreatedUser>()

  constructor(seeds: Iterable<string>) {
    for (const k of seeds) this.keys.set(k, {accessKeyId: k, origin: {kind: 'leaked'}, depth: 0})
  }

  get seeds(): string[] {
    return [...this.keys.values()].filter((k) => k.origin.kind === 'leaked').map((k) => k.accessKeyId)
  }

  /** Whether an event was made by a followed key or by a user a followed key created. */
  follows(e: Pick<TrailEvent, 'accessKeyId' | 'userName' | 'identityType'>): boolean {
    if (e.accessKeyId && this.keys.has(e.accessKeyId)) return true
    return e.identityType === 'IAMUser' && !!e.userName && this.users.has(e.userName)
  }

  /** The leaked key an event traces back to, through its pivots. */
  rootOf(keyId: string | null): string | null {
    let node = keyId ? this.keys.get(keyId) : undefined
    for (let guard = 0; node && node.origin.kind !== 'leaked' && guard < 64; guard++) node = this.keys.get(node.origin.parent)
    return node?.accessKeyId ?? null
  }

  /**
   * Learns the pivots in an event made by a followed principal. `since`:
   * keys minted before the exposure were minted by the owner, not the attacker,
   * and are not followed.
   */
  learn(e: TrailEvent, since: number | null): Learned {
    const out: Learned = {keys: [], users: []}
    if (e.errorCode || !this.follows(e)) return out
    if (since !== null && Date.parse(e.eventTime) < since) return out
    const parent = e.accessKeyId ?? (e.userName ? `user:${e.userName}` : 'unknown')
    const depth = (e.accessKeyId ? (this.keys.get(e.accessKeyId)?.depth ?? 0) : 1) + 1
    const add = (id: string, kind: 'session' | 'created', extra: {expires?: string; user?: string}) => {
      if (this.keys.has(id)) return
      const node: KeyNode = {accessKeyId: id, origin: {kind, parent, via: e.eventName, eventId: e.eventId, at: e.eventTime, ...extra}, depth}
      this.keys.set(id, node)
      out.keys.push(node)
    }
    if (e.issuedKeyId) add(e.issuedKeyId, 'session', {expires: e.issuedKeyExpires})
    if (e.createdKeyId) add(e.createdKeyId, 'created', {user: e.target})
    if (e.createdUser && !this.users.has(e.createdUser)) {
      const u = {userName: e.createdUser, createdBy: parent, eventId: e.eventId, at: e.eventTime}
      this.users.set(e.createdUser, u)
      out.users.push(u)
    }
    return out
  }
}
