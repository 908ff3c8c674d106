import type {ExposureChart} from '../timeline/chart.js'
import {safeLine} from '../text/terminal.js'
import {escapeHtml, htmlPage} from '../timeline/html-page.js'
import {renderGantt} from '../timeline/mermaid.js'
import {renderChartSvg} from '../timeline/svg.js'

// A tiny document model so the post-mortem draft is written once and
// rendered to Markdown or HTML, never converted from one to the other.

export type Inline = string | {code: string} | {risk: string; text: string}

export type Block =
  | {type: 'heading'; level: 1 | 2 | 3; text: string}
  | {type: 'paragraph'; text: Inline[]}
  | {type: 'list'; items: Inline[][]}
  | {type: 'table'; head: string[]; rows: Inline[][]}
  /** The exposure window: a Mermaid gantt in Markdown, inline SVG in HTML. */
  | {type: 'chart'; chart: ExposureChart}

export interface Document {
  title: string
  blocks: Block[]
}

// Text from outside (a note, an actor named `x"><img …>`) stays text where a Markdown viewer renders inline HTML.
export const mdText = (s: string): string => safeLine(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

const mdInline = (parts: Inline[], inTable = false): string =>
  parts
    .map((p) => {
      const text = typeof p === 'string' ? mdText(p) : 'code' in p ? safeLine(`\`${p.code}\``) : `**${mdText(p.text)}**`
      return inTable ? text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ') : text
    })
    .join('')

export function toMarkdown(doc: Document): string {
  return blocksToMarkdown(doc.blocks)
}

export function blocksToMarkdown(blocks: Block[]): string {
  const out: string[] = []
  for (const b of blocks) {
    switch (b.type) {
      case 'heading':
        out.push(`${'#'.repeat(b.level)} ${mdText(b.text)}`, '')
        break
      case 'paragraph':
        out.push(mdInline(b.text), '')
        break
      case 'list':
        out.push(...b.items.map((i) => `- ${mdInline(i)}`), '')
        break
      case 'table':
        out.push(`| ${b.head.map(mdText).join(' | ')} |`, `|${b.head.map(() => '---').join('|')}|`, ...b.rows.map((r) => `| ${r.map((c) => mdInline([c], true)).join(' | ')} |`), '')
        break
      case 'chart':
        out.push('```mermaid', renderGantt(b.chart), '```', '')
        break
    }
  }
  return out.join('\n')
}

const htmlInline = (parts: Inline[]): string =>
  parts.map((p) => (typeof p === 'string' ? escapeHtml(p) : 'code' in p ? `<code>${escapeHtml(p.code)}</code>` : `<span class="${escapeHtml(p.risk)}">${escapeHtml(p.text)}</span>`)).join('')

export function toHtml(doc: Document): string {
  return htmlPage(doc.title, blocksToHtml(doc.blocks))
}

export function blocksToHtml(blocks: Block[]): string {
  return blocks
    .map((b) => {
      switch (b.type) {
        case 'heading':
          return `<h${b.level}>${escapeHtml(b.text)}</h${b.level}>`
        case 'paragraph':
          return `<p>${htmlInline(b.text)}</p>`
        case 'list':
          return `<ul>\n${b.items.map((i) => `<li>${htmlInline(i)}</li>`).join('\n')}\n</ul>`
        case 'table':
          return `<table>\n<thead><tr>${b.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>\n<tbody>\n${b.rows.map((r) => `<tr>${r.map((c) => `<td>${htmlInline([c])}</td>`).join('')}</tr>`).join('\n')}\n</tbody>\n</table>`
        case 'chart':
          return `<figure class="chart">\n${renderChartSvg(b.chart)}\n</figure>`
      }
    })
    .join('\n')
}
