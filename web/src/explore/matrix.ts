// The co-organisation matrix: the partners with the most shared events as rows and columns,
// each cell the number of events the two organised together. It is loaded on demand (a chunk of
// its own) by the co-organisation view when the address says view=matrix, reads the same
// document as the table (web/queries/co-organisations.graphql) under the same filters, and keeps
// the chosen cell in the address (cell=<id>,<id>).
//
// Keyboard: the matrix is an ARIA grid with one tab stop; the arrow keys, Home, End, Page Up and
// Page Down move between cells; Enter or Space lists the cell's events below the grid.

import coDoc from '../../queries/co-organisations.graphql'
import { query } from '../lib/api'
import { h, replace, emptyBox, errorBox, announce, markFirstContent } from '../lib/dom'
import { entityHref, humanise, formatDate } from '../lib/kinds'
import type { CoData, Org, Pair } from './coorganisations'
import type { Context } from './main'
import { maxPartners } from './matrix-limits'

// Pairs come most shared first, 100 a page; the matrix reads at most this many pages.
const pageSize = 100
const maxPages = 5
const levels = 5

interface Partner {
  org: Org
  events: Set<string>
}

const nameOf = (o: Org) => o.shortName || o.name
const plural = (n: number, one: string, many = one + 's') => `${n} ${n === 1 ? one : many}`
const pairKey = (a: string, b: string) => (a < b ? `${a},${b}` : `${b},${a}`)

/** Renders the matrix for filter into box; describe is the filters in words (may be empty). */
export async function renderMatrix(box: HTMLElement, ctx: Context, filter: Record<string, unknown>, describe: string): Promise<void> {
  const pairs: Pair[] = []
  let total = 0
  let complete = true
  try {
    let after: string | undefined
    for (let page = 0; ; page++) {
      const data = await query<CoData>(coDoc, { filter, first: pageSize, after }, ctx.signal)
      const c = data.coOrganisations
      total = c.totalCount
      pairs.push(...c.edges.map(e => e.node))
      if (!c.pageInfo.hasNextPage || !c.pageInfo.endCursor) break
      if (page + 1 === maxPages) {
        complete = false
        break
      }
      after = c.pageInfo.endCursor
    }
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err
    replace(box, errorBox(`The matrix could not be loaded: ${(err as Error).message}`))
    markFirstContent()
    return
  }
  if (pairs.length === 0) {
    replace(box, emptyBox('No two partners organised an event together with these filters. Widen the period or clear a filter.'))
    announce('No pairs of partners match')
    markFirstContent()
    return
  }

  // Partners ranked by the distinct events they organised with any other partner.
  const partners = new Map<string, Partner>()
  const cells = new Map<string, Pair>()
  for (const p of pairs) {
    cells.set(pairKey(p.a.id, p.b.id), p)
    for (const o of [p.a, p.b]) {
      const x = partners.get(o.id) ?? { org: o, events: new Set<string>() }
      for (const ev of p.events) x.events.add(ev.id)
      partners.set(o.id, x)
    }
  }
  const ranked = [...partners.values()].sort((x, y) => y.events.size - x.events.size || nameOf(x.org).localeCompare(nameOf(y.org)))
  const shown = ranked.slice(0, maxPartners)
  const n = shown.length
  const pairOf = (i: number, j: number) => (i === j ? undefined : cells.get(pairKey(shown[i].org.id, shown[j].org.id)))
  let max = 1
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) max = Math.max(max, pairOf(i, j)?.count ?? 0)

  const scope = ranked.length > n ? `the ${n} partners with the most, of ${ranked.length} partners` : plural(n, 'partner')
  const caption = `Shared events between ${scope}${describe ? ` (${describe})` : ''}`
  const notes = [
    ranked.length > n ? `Only the ${maxPartners} partners with the most shared events are shown; the table view lists every pair.` : '',
    complete ? '' : `Built from the ${pairs.length} pairs with the most shared events, of ${total}.`,
  ].filter(Boolean)

  const label = (i: number, j: number) => {
    const a = nameOf(shown[i].org)
    if (i === j) return `${a}: the same partner`
    const p = pairOf(i, j)
    return `${a} and ${nameOf(shown[j].org)}: ${p ? plural(p.count, 'event') + ' together' : 'no events together'}`
  }
  const level = (count: number) => Math.max(1, Math.ceil((count / max) * levels))
  const detail = h('section', { className: 'matrix-detail', 'aria-live': 'polite', 'aria-labelledby': 'matrix-detail-heading' })
  const rows = shown.map((row, i) => h('tr', {},
    h('th', { scope: 'row', role: 'rowheader', title: row.org.name }, nameOf(row.org)),
    shown.map((col, j) => {
      const p = pairOf(i, j)
      return h('td', {
        role: 'gridcell', tabindex: '-1', 'data-row': i, 'data-col': j, 'aria-label': label(i, j),
        className: i === j ? 'self' : p ? `lvl-${level(p.count)}` : 'none',
        title: p ? `${nameOf(row.org)} × ${nameOf(col.org)}: ${p.events.map(e => e.title).slice(0, 6).join('; ')}${p.events.length > 6 ? '; …' : ''}` : null,
      }, i === j ? h('span', { 'aria-hidden': 'true' }, '·') : p ? String(p.count) : '')
    })))
  const grid = h('table', { className: 'coorg-matrix', role: 'grid', 'aria-labelledby': 'matrix-caption', 'aria-describedby': 'matrix-help', 'aria-rowcount': n + 1, 'aria-colcount': n + 1 },
    h('thead', {}, h('tr', {},
      h('td', { className: 'corner' }),
      shown.map(col => h('th', { scope: 'col', role: 'columnheader', title: col.org.name }, h('span', { className: 'col-label' }, nameOf(col.org)))))),
    h('tbody', {}, rows))
  const cellAt = (i: number, j: number) => grid.querySelector<HTMLTableCellElement>(`td[data-row="${i}"][data-col="${j}"]`)

  let current: HTMLTableCellElement | null = null
  const move = (i: number, j: number, focus = true) => {
    const next = cellAt(Math.max(0, Math.min(n - 1, i)), Math.max(0, Math.min(n - 1, j)))
    if (!next) return
    current?.setAttribute('tabindex', '-1')
    next.setAttribute('tabindex', '0')
    current = next
    if (focus) next.focus()
  }
  const open = (i: number, j: number, push = true) => {
    for (const c of grid.querySelectorAll('td[aria-selected="true"]')) c.removeAttribute('aria-selected')
    const p = pairOf(i, j)
    if (push) ctx.setParams({ cell: i === j ? undefined : pairKey(shown[i].org.id, shown[j].org.id) })
    if (i === j) {
      replace(detail)
      return
    }
    cellAt(i, j)?.setAttribute('aria-selected', 'true')
    if (j !== i) cellAt(j, i)?.setAttribute('aria-selected', 'true')
    const a = shown[i].org
    const b = shown[j].org
    const orgLink = (o: Org) => h('a', { href: entityHref('ORGANISATION', o.id) }, nameOf(o))
    if (!p) {
      replace(detail, h('h2', { id: 'matrix-detail-heading' }, orgLink(a), ' and ', orgLink(b)),
        h('p', { className: 'empty' }, `${nameOf(a)} and ${nameOf(b)} organised no event together${describe ? ` (${describe})` : ''}.`))
      return
    }
    replace(detail,
      h('h2', { id: 'matrix-detail-heading' }, orgLink(a), ' and ', orgLink(b), `: ${plural(p.count, 'event')} together`),
      h('p', { className: 'hint' }, p.first === p.last ? formatDate(p.first) : `${formatDate(p.first)} to ${formatDate(p.last)}`),
      h('ul', { className: 'links' }, p.events.map(ev => h('li', {},
        h('a', { href: entityHref('EVENT', ev.id) }, ev.title),
        h('span', { className: 'detail' }, [humanise(ev.kind), formatDate(ev.startDate), ev.place?.name].filter(Boolean).join(' · '))))))
  }
  const position = (el: Element | null) => {
    const td = el?.closest<HTMLTableCellElement>('td[data-row]')
    return td ? [Number(td.dataset.row), Number(td.dataset.col)] as const : null
  }
  grid.addEventListener('keydown', e => {
    const at = position(e.target as Element)
    if (!at) return
    const [i, j] = at
    const to: Record<string, [number, number]> = {
      ArrowRight: [i, j + 1], ArrowLeft: [i, j - 1], ArrowDown: [i + 1, j], ArrowUp: [i - 1, j],
      Home: e.ctrlKey ? [0, 0] : [i, 0], End: e.ctrlKey ? [n - 1, n - 1] : [i, n - 1], PageUp: [0, j], PageDown: [n - 1, j],
    }
    if (to[e.key]) {
      e.preventDefault()
      move(...to[e.key])
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault()
      open(i, j)
    }
  })
  grid.addEventListener('click', e => {
    const at = position(e.target as Element)
    if (!at) return
    move(at[0], at[1])
    open(at[0], at[1])
  })

  const legend = h('p', { className: 'matrix-legend hint', 'aria-hidden': 'true' }, 'Fewer',
    Array.from({ length: levels }, (_, k) => h('span', { className: `swatch-cell lvl-${k + 1}` })), 'More shared events')
  replace(box,
    h('h2', { id: 'matrix-caption', className: 'matrix-title' }, caption),
    h('p', { className: 'hint', id: 'matrix-help' },
      'Each cell is the number of events the two partners organised, co-organised or hosted together. ',
      'Choose a cell — click it, or use the arrow keys and press Enter — to list its events below.'),
    notes.length ? h('p', { className: 'matrix-note' }, notes.join(' ')) : null,
    legend,
    h('div', { className: 'matrix-scroll' }, grid),
    detail)

  // The tab stop: the cell in the address, else the pair with the most shared events.
  const wanted = (ctx.url.searchParams.get('cell') ?? '').split(',')
  let start: [number, number] | null = null
  const index = new Map(shown.map((p, k) => [p.org.id, k]))
  if (wanted.length === 2 && index.has(wanted[0]) && index.has(wanted[1])) start = [index.get(wanted[0])!, index.get(wanted[1])!]
  let best: [number, number] = [0, Math.min(1, n - 1)]
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if ((pairOf(i, j)?.count ?? 0) > (pairOf(...best)?.count ?? 0)) best = [i, j]
  move(...(start ?? best), false)
  if (start) open(...start, false)
  announce(caption)
  markFirstContent()
}
