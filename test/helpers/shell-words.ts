// Splits one shell line into its simple commands and their words, the way
// bash would, without running anything: quotes removed, expansions ($VAR,
// $(…), `…`) replaced by a stand-in, redirections dropped. The command lint
// hands these argv arrays to the real tools' parsers; bash -n and shellcheck
// check the line itself, so this only needs to agree with bash on well-formed
// lines.

export interface SimpleCommand {
  argv: string[]
  /** Words whose value depends on an expansion (replaced by the stand-in). */
  dynamic: boolean[]
}

/** What an expansion is replaced by: a plain word every tool accepts as a value. */
export const STAND_IN = 'x1'

export function simpleCommands(line: string): SimpleCommand[] {
  const out: SimpleCommand[] = []
  let argv: string[] = []
  let dynamic: boolean[] = []
  let word = ''
  let inWord = false
  let isDynamic = false
  let redirectNext = false
  let i = 0

  const endWord = () => {
    if (!inWord) return
    if (redirectNext) redirectNext = false
    else {
      argv.push(word)
      dynamic.push(isDynamic)
    }
    word = ''
    inWord = false
    isDynamic = false
  }
  const endCommand = () => {
    endWord()
    if (argv.length) out.push({argv, dynamic})
    argv = []
    dynamic = []
  }
  // $(…) or `…` or ${…}: skip to the matching close, respecting quotes.
  const skipBalanced = (open: string, close: string) => {
    let depth = 1
    while (i < line.length && depth > 0) {
      const c = line[i]!
      if (c === '\\') i += 2
      else if (c === "'" && open !== '`') i = line.indexOf("'", i + 1) + 1 || line.length
      else {
        if (c === open && open !== close) depth++
        else if (c === close) depth--
        i++
      }
    }
  }
  const expansion = (): boolean => {
    // at line[i] === '$' or '`'
    const c = line[i]!
    if (c === '`') {
      i++
      skipBalanced('`', '`')
    } else if (line[i + 1] === '(') {
      i += 2
      skipBalanced('(', ')')
    } else if (line[i + 1] === '{') {
      i += 2
      skipBalanced('{', '}')
    } else if (/[A-Za-z_]/.test(line[i + 1] ?? '')) {
      i++
      while (i < line.length && /\w/.test(line[i]!)) i++
    } else if (/[0-9#?@*$!-]/.test(line[i + 1] ?? '')) {
      i += 2
    } else {
      return false
    }
    word += STAND_IN
    inWord = true
    isDynamic = true
    return true
  }

  while (i < line.length) {
    const c = line[i]!
    if (c === ' ' || c === '\t') {
      endWord()
      i++
    } else if (c === '#' && !inWord) {
      break
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1)
      word += line.slice(i + 1, end < 0 ? line.length : end)
      inWord = true
      i = end < 0 ? line.length : end + 1
    } else if (c === '"') {
      inWord = true
      i++
      while (i < line.length && line[i] !== '"') {
        const d = line[i]!
        if (d === '\\' && /[$`"\\\n]/.test(line[i + 1] ?? '')) {
          word += line[i + 1]
          i += 2
        } else if ((d === '$' || d === '`') && expansion()) {
          continue
        } else {
          word += d
          i++
        }
      }
      i++
    } else if (c === '\\') {
      word += line[i + 1] ?? ''
      inWord = true
      i += 2
    } else if (c === '$' || c === '`') {
      if (!expansion()) {
        word += c
        inWord = true
        i++
      }
    } else if (c === '|' || c === ';' || c === '&' || c === '(' || c === ')') {
      if (c === '&' && line[i + 1] === '>') {
        endWord()
        redirectNext = true
        i += 2
        continue
      }
      endCommand()
      i += (c === '|' && line[i + 1] === '|') || (c === '&' && line[i + 1] === '&') ? 2 : 1
    } else if (c === '>' || c === '<') {
      if (inWord && /^\d+$/.test(word)) {
        word = ''
        inWord = false
      } else endWord()
      i++
      if (line[i] === '>' || line[i] === '&') i++
      if (line[i - 1] === '&' && /\d/.test(line[i] ?? '')) {
        i++
        continue
      }
      redirectNext = true
      while (line[i] === ' ') i++
    } else {
      word += c
      inWord = true
      i++
    }
  }
  endCommand()
  // VAR=value prefixes and bare assignments are not the command's words.
  return out
    .map((s) => {
      let k = 0
      while (k < s.argv.length && /^[A-Za-z_]\w*=/.test(s.argv[k]!)) k++
      return {argv: s.argv.slice(k), dynamic: s.dynamic.slice(k)}
    })
    .filter((s) => s.argv.length > 0)
}
