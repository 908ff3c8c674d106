// Case-insensitive multi-keyword search in one pass (Aho–Corasick over ASCII).
// A regular expression with ~150 alternatives ran at ~35 MB/s and was most of
// the scan's time; a table-driven automaton reads each character once.

const ALPHABET = 128
/** log2(ALPHABET): a state's row offset to its number. */
const SHIFT = 7
/** Texts of this many bytes or more are read by four interleaved walks (see scan). */
const FOUR_WALKS_FROM = 1024

export interface KeywordHit {
  keyword: string
  /** Offset of the keyword's first character. */
  start: number
}

export interface KeywordMatcher {
  /**
   * Every keyword that occurs; with `positions`, where the wanted ones occur. `bytes`: the text as
   * one byte per character, the character's code when below 0x80 and any value of 0x80 or more
   * otherwise (keywords are ASCII: the automaton sees 0 for both); the pass then reads it, faster
   * than the string's characters, with the same result.
   */
  scan(text: string, positions?: ReadonlySet<string>, bytes?: Uint8Array): {found: Set<string>; hits: KeywordHit[]}
  /**
   * Whether any keyword occurs in these bytes, read as ASCII: it stops at the first. Keywords are
   * ASCII, and in UTF-8 every byte of a non-ASCII character is 0x80 or above, as is every character
   * such a byte decodes to: so for UTF-8 bytes (even damaged ones) the answer is scan()'s on their
   * decoding (`found.size > 0`), without decoding them.
   */
  occurs(bytes: Uint8Array): boolean
}

/**
 * A keyword's own test of one occurrence (`pass` must be a word of a name, not of `bypass`): an
 * occurrence that fails it is no position, so a common substring costs a call, not a hit to parse.
 * It still counts as found (rules keyed on the keyword run as before).
 */
export type KeywordGuard = (text: string, start: number) => boolean

export function keywordMatcher(keywords: readonly string[], guards: Readonly<Record<string, KeywordGuard>> = {}): KeywordMatcher {
  const words = [...new Set(keywords.map((k) => k.toLowerCase()))]
  for (const w of words) if (/[^\x00-\x7f]/.test(w)) throw new Error(`keyword "${w}" is not ASCII`)
  // Trie.
  const next: number[][] = [new Array<number>(ALPHABET).fill(-1)]
  const out: number[][] = [[]]
  for (let wi = 0; wi < words.length; wi++) {
    let s = 0
    for (const ch of words[wi]!) {
      const c = ch.charCodeAt(0)
      if (next[s]![c] === -1) {
        next[s]![c] = next.length
        next.push(new Array<number>(ALPHABET).fill(-1))
        out.push([])
      }
      s = next[s]![c]!
    }
    out[s]!.push(wi)
  }
  // Failure links, breadth first, folded into a full transition table.
  const fail = new Array<number>(next.length).fill(0)
  const queue: number[] = []
  for (let c = 0; c < ALPHABET; c++) {
    const t = next[0]![c]!
    if (t === -1) next[0]![c] = 0
    else queue.push(t)
  }
  while (queue.length) {
    const s = queue.shift()!
    for (let c = 0; c < ALPHABET; c++) {
      const t = next[s]![c]!
      if (t === -1) next[s]![c] = next[fail[s]!]![c]!
      else {
        fail[t] = next[fail[s]!]![c]!
        out[t] = [...out[t]!, ...out[fail[t]!]!]
        queue.push(t)
      }
    }
  }
  // One flat table; an entry is the next state's row offset (state * ALPHABET), negated
  // minus one when that state ends a keyword, so the hot loop tests a sign, not a list.
  // Upper-case letters share the lower-case transitions: no case folding per character.
  const table = new Int32Array(next.length * ALPHABET)
  next.forEach((row, s) => {
    for (let c = 0; c < ALPHABET; c++) {
      const lower = c >= 65 && c <= 90 ? c | 0x20 : c
      const t = row[lower]!
      table[s * ALPHABET + c] = out[t]!.length ? -(t * ALPHABET) - 1 : t * ALPHABET
    }
  })
  const outputs = out.map((o) => Int32Array.from(o))
  const lengths = words.map((w) => w.length)
  const guardOf = words.map((w) => guards[w])

  // Which keywords' positions a caller wants, worked out once per set (callers pass a few fixed sets):
  // a text of a few bytes must not pay for a pass over every keyword.
  const NONE = new Uint8Array(words.length)
  const masks = new WeakMap<ReadonlySet<string>, Uint8Array>()
  const maskOf = (positions: ReadonlySet<string> | undefined): Uint8Array => {
    if (!positions) return NONE
    let m = masks.get(positions)
    if (!m) {
      m = Uint8Array.from(words, (w) => (positions.has(w) ? 1 : 0))
      masks.set(positions, m)
    }
    return m
  }

  const longest = Math.max(0, ...lengths)

  /** One walk's findings: keywords in the order first met, and the wanted positions; it records only ends in [lo, hi). */
  interface Walk {
    lo: number
    hi: number
    seen: Uint8Array
    order: number[]
    hits: KeywordHit[]
  }
  const walk = (lo: number, hi: number): Walk => ({lo, hi, seen: new Uint8Array(words.length), order: [], hits: []})

  return {
    scan(text, positions, bytes) {
      const wanted = maskOf(positions)
      // At the end of a keyword (rare): record it, and its position when wanted and its guard agrees.
      const ended = (w: Walk, i: number, state: number) => {
        if (i < w.lo || i >= w.hi) return
        const o = outputs[state >> SHIFT]!
        for (let k = 0; k < o.length; k++) {
          const wi = o[k]!
          if (!w.seen[wi]) {
            w.seen[wi] = 1
            w.order.push(wi)
          }
          if (!wanted[wi]) continue
          const start = i - lengths[wi]! + 1
          const guard = guardOf[wi]
          if (!guard || guard(text, start)) w.hits.push({keyword: words[wi]!, start})
        }
      }
      const n = text.length
      if (bytes && bytes.length === n && n >= Math.max(FOUR_WALKS_FROM, 8 * longest)) {
        // Each step of a walk waits for the table entry the previous step chose: four walks
        // interleaved, one per quarter of the text, keep four times the work in flight. A walk
        // starts `longest - 1` bytes before its quarter, so from the quarter on it is in the
        // state one walk would be in; it records only keywords ending in its quarter, and the
        // quarters' findings follow one another: the result is that of one walk.
        const q = n >> 2
        const back = longest - 1
        const w0 = walk(0, q)
        const w1 = walk(q, 2 * q)
        const w2 = walk(2 * q, 3 * q)
        const w3 = walk(3 * q, n)
        let s0 = 0
        let s1 = 0
        let s2 = 0
        let s3 = 0
        // q + back steps: walks 1 and 2 reach the end of their quarter (walk 0 goes `back` past
        // its own, recording nothing there); walk 3 finishes the text alone.
        for (let i = 0, j = q - back, k = 2 * q - back, l = 3 * q - back; i < q + back; i++, j++, k++, l++) {
          const c0 = bytes[i]!
          const c1 = bytes[j]!
          const c2 = bytes[k]!
          const c3 = bytes[l]!
          const t0 = table[s0 + (c0 < ALPHABET ? c0 : 0)]!
          const t1 = table[s1 + (c1 < ALPHABET ? c1 : 0)]!
          const t2 = table[s2 + (c2 < ALPHABET ? c2 : 0)]!
          const t3 = table[s3 + (c3 < ALPHABET ? c3 : 0)]!
          if (t0 >= 0) s0 = t0
          else ended(w0, i, (s0 = -t0 - 1))
          if (t1 >= 0) s1 = t1
          else ended(w1, j, (s1 = -t1 - 1))
          if (t2 >= 0) s2 = t2
          else ended(w2, k, (s2 = -t2 - 1))
          if (t3 >= 0) s3 = t3
          else ended(w3, l, (s3 = -t3 - 1))
        }
        for (let l = 4 * q; l < n; l++) {
          const c = bytes[l]!
          const t = table[s3 + (c < ALPHABET ? c : 0)]!
          if (t >= 0) s3 = t
          else ended(w3, l, (s3 = -t - 1))
        }
        const walks = [w0, w1, w2, w3]
        return {found: foundIn(walks), hits: walks.flatMap((w) => w.hits)}
      }
      const a = walk(0, n)
      let s = 0
      // The same automaton over bytes or characters: two loops, so each stays monomorphic.
      if (bytes && bytes.length === n) {
        for (let i = 0; i < n; i++) {
          const c = bytes[i]!
          const t = table[s + (c < ALPHABET ? c : 0)]!
          if (t >= 0) s = t
          else ended(a, i, (s = -t - 1))
        }
      } else {
        for (let i = 0; i < n; i++) {
          const c = text.charCodeAt(i)
          const t = table[s + (c < ALPHABET ? c : 0)]!
          if (t >= 0) s = t
          else ended(a, i, (s = -t - 1))
        }
      }
      return {found: foundIn([a]), hits: a.hits}
    },

    occurs(bytes) {
      // Each step waits for the table entry the previous one chose: four walks interleaved, over
      // the four quarters, keep four steps in flight. Each walk but the first starts `longest - 1`
      // bytes before its quarter, so every occurrence ends inside a walk that saw all of it; each
      // walk reports only real occurrences, so the first one any walk meets is the answer.
      const n = bytes.length
      const q = n >> 2
      const back = longest - 1
      let b = Math.max(0, q - back)
      let c = Math.max(0, 2 * q - back)
      let d = Math.max(0, 3 * q - back)
      let s = 0
      let t = 0
      let u = 0
      let v = 0
      for (let a = 0; a < q; a++, b++, c++, d++) {
        const w = bytes[a]!
        const x = bytes[b]!
        const y = bytes[c]!
        const z = bytes[d]!
        s = table[s + (w < ALPHABET ? w : 0)]!
        t = table[t + (x < ALPHABET ? x : 0)]!
        u = table[u + (y < ALPHABET ? y : 0)]!
        v = table[v + (z < ALPHABET ? z : 0)]!
        if ((s | t | u | v) < 0) return true
      }
      return endsIn(bytes, t, b, 2 * q) || endsIn(bytes, u, c, 3 * q) || endsIn(bytes, v, d, n)
    },
  }

  /** Whether a walk in `state` meets a keyword's end in bytes [from, to). */
  function endsIn(bytes: Uint8Array, state: number, from: number, to: number): boolean {
    for (let i = from; i < to; i++) {
      const c = bytes[i]!
      state = table[state + (c < ALPHABET ? c : 0)]!
      if (state < 0) return true
    }
    return false
  }

  /** The keywords met, in the order one walk over the whole text would have met them first. */
  function foundIn(walks: Walk[]): Set<string> {
    const found = new Set<string>()
    for (const w of walks) for (const wi of w.order) found.add(words[wi]!)
    return found
  }
}
