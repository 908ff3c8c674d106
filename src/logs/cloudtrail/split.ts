// A streaming record splitter for CloudTrail log files. It finds where each
// record (one JSON object) starts and ends in a byte stream and hands the
// record's text to JSON.parse, so a file of a million records never needs a
// million records in memory, and parsing runs at V8's native JSON speed
// instead of a JavaScript tokenizer's.
//
// It understands the shapes CloudTrail data comes in:
//   {"Records": [ {...}, ... ]}     a log file as delivered to S3
//   {"Events": [ {...}, ... ]}      `aws cloudtrail lookup-events` output
//   [ {...}, ... ]                  a bare array (exports, LookupEvents dumps)
//   {...}\n{...}\n                  JSON lines / concatenated objects
// Structural bytes ({ } [ ] " \ : ,) are ASCII and never occur inside a UTF-8
// multi-byte sequence, so scanning bytes is exact.

const QUOTE = 0x22
const BACKSLASH = 0x5c
const LBRACE = 0x7b
const RBRACE = 0x7d
const LBRACKET = 0x5b
const RBRACKET = 0x5d
const COLON = 0x3a

/** Keys of a top-level object whose array value holds the records. */
const CONTAINER_KEYS = new Set(['Records', 'Events'])

export interface SplitProblem {
  kind: 'not-json' | 'truncated' | 'unexpected' | 'oversized'
  message: string
}

/**
 * The largest record handed to JSON.parse. CloudTrail caps an event at 256 KB; a record
 * of 1 GiB (a crafted file: one string of a billion characters) would take GiBs to hold,
 * decode and parse. Beyond the bound the splitter keeps following the structure but
 * drops the bytes, and reports the record as skipped.
 */
export const MAX_RECORD_BYTES = 4 * 1024 * 1024

export interface SplitStats {
  records: number
  bytes: number
}

/**
 * Feed chunks with `push`, then call `end`. `onRecord` receives the text of
 * each record; problems (garbage, truncation) are reported, never thrown.
 */
export class RecordSplitter {
  private depth = 0
  private inString = false
  /** A backslash ended the previous chunk inside a string: the next byte is escaped. */
  private pendingEscape = false
  /** Depth at which record objects open: 1 in a bare array, 2 inside Records, 0 for JSON lines. */
  private recordDepth = -1
  /** Depth of the Records array once found (its contents are records). */
  private containerDepth = -1
  private rootIsObject = false
  private capturing = false
  private captureStart = 0
  private pieces: Buffer[] = []
  /** Bytes of the record being captured held in `pieces`; past maxRecordBytes they are dropped. */
  private captured = 0
  private oversized = false
  private stringStart = -1
  /** The start of a depth-1 string (a possible key) cut by a chunk boundary; null when too long to matter. */
  private keyHead: string | null = ''
  /** The last string at depth 1 was a container key and only ':' followed. */
  private keyHit = false
  private strayReported = false
  readonly stats: SplitStats = {records: 0, bytes: 0}

  constructor(
    private readonly onRecord: (text: string) => void,
    private readonly onProblem: (p: SplitProblem) => void,
    private readonly maxRecordBytes = MAX_RECORD_BYTES,
  ) {}

  push(chunk: Buffer): void {
    const n = chunk.length
    if (n === 0) return
    this.stats.bytes += n
    let i = 0
    if (this.capturing) this.captureStart = 0
    if (this.inString) this.stringStart = 0
    if (this.pendingEscape) {
      this.pendingEscape = false
      i = 1
    }
    while (i < n) {
      if (this.inString) {
        const q = chunk.indexOf(QUOTE, i)
        if (q < 0) {
          // Count the backslashes that end this chunk: an odd run escapes the next chunk's first byte.
          let k = n - 1
          while (k >= i && chunk[k] === BACKSLASH) k--
          this.pendingEscape = (n - 1 - k) % 2 === 1
          if (this.keyCandidate()) {
            const head = (this.keyHead ?? '') + chunk.toString('latin1', this.stringStart, n)
            this.keyHead = this.keyHead !== null && head.length <= 16 ? head : null
          }
          i = n
          break
        }
        let k = q - 1
        while (k >= i && chunk[k] === BACKSLASH) k--
        if ((q - 1 - k) % 2 === 1) {
          i = q + 1
          continue
        }
        this.inString = false
        this.keyHit = this.keyCandidate() && this.keyHead !== null && CONTAINER_KEYS.has(this.keyHead + chunk.toString('latin1', this.stringStart, q))
        this.keyHead = ''
        i = q + 1
        continue
      }
      const b = chunk[i]!
      switch (b) {
        case QUOTE:
          this.inString = true
          this.stringStart = i + 1
          this.keyHead = ''
          if (this.depth === 0) this.stray(b)
          break
        case LBRACE:
          if (this.depth === 0) {
            if (this.recordDepth < 0) {
              this.rootIsObject = true
              this.recordDepth = 0
            }
            if (this.rootIsObject) this.startCapture(i)
          } else if (this.depth === this.recordDepth && this.depth > 0) {
            this.startCapture(i)
          }
          this.keyHit = false
          this.depth++
          break
        case LBRACKET:
          if (this.depth === 0 && this.recordDepth < 0) {
            this.recordDepth = 1
          } else if (this.depth === 0) {
            this.stray(b)
          } else if (this.depth === 1 && this.keyHit && this.rootIsObject) {
            // {"Records": [ ... — the object itself is a container, not a record.
            this.capturing = false
            this.pieces = []
            this.containerDepth = 2
            this.recordDepth = 2
          } else if (this.depth === this.recordDepth && !this.capturing) {
            this.unexpected('an array where a record object was expected')
          }
          this.keyHit = false
          this.depth++
          break
        case RBRACE:
        case RBRACKET:
          this.depth--
          this.keyHit = false
          if (this.depth < 0) {
            this.depth = 0
            this.stray(b)
          } else if (this.capturing && this.depth === this.recordDepth && b === RBRACE) {
            this.endCapture(chunk, i)
          } else if (b === RBRACKET && this.depth === 1 && this.containerDepth === 2) {
            // End of the Records array: back to the outer object.
            this.containerDepth = -1
            this.recordDepth = 0
          }
          break
        case COLON:
          break
        case 0x20:
        case 0x0a:
        case 0x0d:
        case 0x09:
          break
        default:
          if (b === 0x2c) {
            this.keyHit = false
          } else if (this.depth === 0) {
            this.stray(b)
          } else if (this.depth === this.recordDepth && !this.capturing && this.recordDepth > 0) {
            // A scalar element in the records array (a number, null, true).
            this.unexpected('a non-object element in the records array')
            while (i + 1 < n && chunk[i + 1] !== 0x2c && chunk[i + 1] !== RBRACKET) i++
          }
      }
      i++
    }
    if (this.capturing) this.keep(chunk.subarray(this.captureStart))
  }

  /** Holds a piece of the record being captured, unless the record has outgrown the bound. */
  private keep(piece: Buffer): void {
    if (this.oversized) return
    this.captured += piece.length
    if (this.captured <= this.maxRecordBytes) {
      this.pieces.push(piece)
      return
    }
    this.oversized = true
    this.pieces = []
  }

  /** Call once the stream ended; reports a document cut short. */
  end(): void {
    if (this.depth > 0 || this.inString) {
      this.onProblem({kind: 'truncated', message: `the data ends inside ${this.capturing ? 'a record' : 'the document'} (truncated file?)`})
    }
    // Whitespace only (an empty JSON-lines file) holds no record and is no problem.
    this.capturing = false
    this.pieces = []
  }

  /** A string at depth 1 of an object document may be the Records key. */
  private keyCandidate(): boolean {
    return this.depth === 1 && this.rootIsObject && this.containerDepth < 0
  }

  private startCapture(i: number): void {
    this.capturing = true
    this.captureStart = i
    this.pieces = []
    this.captured = 0
    this.oversized = false
  }

  private endCapture(chunk: Buffer, i: number): void {
    this.capturing = false
    this.keep(chunk.subarray(this.captureStart, i + 1))
    this.stats.records++
    if (this.oversized) {
      this.onProblem({kind: 'oversized', message: `a record larger than ${sizeLabel(this.maxRecordBytes)} was skipped (CloudTrail events are at most 256 KB)`})
      return
    }
    const text = this.pieces.length === 1 ? this.pieces[0]!.toString('utf8') : Buffer.concat(this.pieces).toString('utf8')
    this.pieces = []
    this.onRecord(text)
  }

  private stray(b: number): void {
    if (this.strayReported) return
    this.strayReported = true
    const what = b >= 0x20 && b < 0x7f ? `"${String.fromCharCode(b)}"` : `byte 0x${b.toString(16)}`
    this.onProblem({kind: this.recordDepth < 0 ? 'not-json' : 'unexpected', message: `unexpected ${what} outside any record (not CloudTrail JSON?)`})
  }

  private unexpected(message: string): void {
    if (this.strayReported) return
    this.strayReported = true
    this.onProblem({kind: 'unexpected', message})
  }
}

const sizeLabel = (bytes: number): string => (bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MiB` : `${bytes / 1024} KiB`)
