import {redact} from './finding.js'

// Free text typed by responders (notes, titles) may carry a credential pasted
// by mistake ("new password is ..."). Scrub it before it reaches the log.

const PATTERNS: {re: RegExp; reveal: number}[] = [
  {re: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b/g, reveal: 4},
  {re: /\bgh[pousr]_[A-Za-z0-9]{36,255}\b/g, reveal: 4},
  {re: /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/g, reveal: 11},
  {re: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g, reveal: 5},
  {re: /\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}\b/g, reveal: 8},
  {re: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, reveal: 0},
  {re: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g, reveal: 3},
  {re: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:([^\s@/]+)@/gi, reveal: 0},
]

const ASSIGNMENT = /\b([\w.-]{0,40}?(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key)[\w.-]{0,40}?)(\s*(?:[:=]|\bis\b)\s*)(["']?)([^\s"']{6,})\3/gi

export interface Scrubbed {
  text: string
  redacted: number
}

export function scrubText(text: string): Scrubbed {
  let redacted = 0
  let out = text
  for (const {re, reveal} of PATTERNS) {
    out = out.replace(re, (m: string, group?: string) => {
      redacted++
      if (typeof group === 'string' && m.includes(`:${group}@`)) return m.replace(`:${group}@`, `:${redact(group)}@`)
      return `[redacted ${redact(m, reveal)}]`
    })
  }
  out = out.replace(ASSIGNMENT, (m, key: string, sep: string, q: string, value: string) => {
    if (value.startsWith('[redacted')) return m
    redacted++
    return `${key}${sep}${q}[redacted ${redact(value)}]${q}`
  })
  return {text: out, redacted}
}
