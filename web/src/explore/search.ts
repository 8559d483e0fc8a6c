// The search box (in the page header, on every explorer view) and the results view.

import searchDoc from '../../queries/search.graphql'
import { query } from '../lib/api'
import { h, replace, snippet, announce, debounce, emptyBox, markFirstContent } from '../lib/dom'
import { kindInfo, nodeKinds, entityHref, humanise, orgKindLabels, formatDate, type NodeKind } from '../lib/kinds'
import type { Context } from './main'

/** A search hit's entity, with the fields the result list shows. */
export interface HitNode {
  __typename: string
  id: string
  name?: string
  shortName?: string | null
  title?: string
  orgKind?: string
  eventKind?: string
  publicationKind?: string
  placeKind?: string
  startDate?: string | null
  published?: string | null
  countryCode?: string | null
  status?: string
}

export interface Hit {
  kind: NodeKind
  snippet: string
  node: HitNode
}

interface SearchData {
  search: { totalCount: number; edges: { node: Hit }[] }
}

/** Searches; used by the results view and the entity pickers. */
export async function search(text: string, first: number, signal?: AbortSignal, kinds?: NodeKind[]): Promise<{ total: number; hits: Hit[] }> {
  const d = await query<SearchData>(searchDoc, { text, first, kinds }, signal)
  return { total: d.search.totalCount, hits: d.search.edges.map(e => e.node) }
}

/** The name to show for an entity. */
export function labelOf(n: { name?: string | null; title?: string | null; shortName?: string | null; id: string }): string {
  return n.name ?? n.title ?? n.id
}

/** A short description of a hit: its sub-kind, date or country. */
export function detailOf(n: HitNode): string {
  const bits: string[] = []
  if (n.orgKind) bits.push(orgKindLabels[n.orgKind] ?? humanise(n.orgKind))
  if (n.shortName && n.shortName !== n.name) bits.push(n.shortName)
  if (n.eventKind) bits.push(humanise(n.eventKind))
  if (n.publicationKind) bits.push(humanise(n.publicationKind))
  if (n.placeKind) bits.push(humanise(n.placeKind))
  if (n.startDate) bits.push(formatDate(n.startDate))
  if (n.published) bits.push(formatDate(n.published))
  if (n.status === 'DRAFT') bits.push('Draft')
  return bits.join(' · ')
}

/** Wires the header search box: results as you type (debounced), Enter searches at once. */
export function mountSearchBox(form: HTMLFormElement, onQuery: (q: string, push: boolean) => void): void {
  const input = form.querySelector('input') as HTMLInputElement
  let last = input.value.trim()
  const typed = debounce(() => {
    const q = input.value.trim()
    if (q === last) return
    last = q
    onQuery(q, false)
  }, 250)
  input.addEventListener('input', typed)
  form.addEventListener('submit', e => {
    e.preventDefault()
    last = input.value.trim()
    onQuery(last, true)
  })
  input.addEventListener('keydown', e => {
    if (e.key === 'ArrowDown') {
      const first = document.querySelector<HTMLAnchorElement>('#main .results a')
      if (first) {
        e.preventDefault()
        first.focus()
      }
    }
  })
}

/** /explore: the results of ?q=, or an introduction when there is no query. */
export async function searchView(ctx: Context): Promise<void> {
  const q = (ctx.url.searchParams.get('q') ?? '').trim()
  const input = document.getElementById('search-input') as HTMLInputElement
  if (document.activeElement !== input && input.value.trim() !== q) input.value = q
  if (!q) {
    document.title = 'Explorer · partnergraph'
    replace(ctx.main, home())
    markFirstContent()
    return
  }
  document.title = `${q} · Search · partnergraph`
  let view = ctx.main.querySelector<HTMLElement>('[data-view="search"]')
  if (!view) {
    view = h('section', { 'data-view': 'search', 'aria-labelledby': 'results-heading' },
      h('h1', { id: 'results-heading' }, 'Search results'),
      h('p', { className: 'status', id: 'results-status' }),
      h('div', { className: 'results', onkeydown: arrowKeys as EventListener }))
    replace(ctx.main, view)
  }
  const status = view.querySelector('#results-status') as HTMLElement
  const results = view.querySelector('.results') as HTMLElement
  status.textContent = `Searching for “${q}”…`
  view.setAttribute('aria-busy', 'true')
  const { total, hits } = await search(q, 40, ctx.signal)
  view.removeAttribute('aria-busy')
  if (hits.length === 0) {
    status.textContent = ''
    replace(results, emptyBox(`No results for “${q}”. Check the spelling, try fewer words, or a partner’s short name such as INTERPOL.`))
    announce(`No results for ${q}`)
    markFirstContent()
    return
  }
  const msg = total > hits.length ? `${total} results for “${q}”; the best ${hits.length} are shown.` : `${total} result${total === 1 ? '' : 's'} for “${q}”.`
  status.textContent = msg
  const groups = nodeKinds.map(k => ({ kind: k, hits: hits.filter(x => x.kind === k) })).filter(g => g.hits.length)
  replace(results, groups.map(g => h('section', { className: 'result-group', 'aria-labelledby': `group-${g.kind}` },
    h('h2', { id: `group-${g.kind}` }, h('span', { className: `swatch kind-${g.kind}`, 'aria-hidden': 'true' }), `${kindInfo[g.kind].plural} (${g.hits.length})`),
    h('ul', { className: 'hit-list' }, g.hits.map(hit => h('li', { className: 'hit' },
      h('a', { href: entityHref(hit.kind, hit.node.id), className: 'hit-title' }, labelOf(hit.node)),
      h('span', { className: 'hit-kind' }, [kindInfo[hit.kind].label, detailOf(hit.node)].filter(Boolean).join(' · ')),
      h('p', { className: 'snippet' }, snippet(hit.snippet)),
    ))),
  )))
  announce(msg)
  markFirstContent()
}

// Up and down arrows move between result links (Tab still works).
function arrowKeys(e: KeyboardEvent): void {
  if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return
  const links = [...document.querySelectorAll<HTMLAnchorElement>('#main .results a')]
  const i = links.indexOf(document.activeElement as HTMLAnchorElement)
  if (i < 0) return
  e.preventDefault()
  if (e.key === 'ArrowDown') links[Math.min(i + 1, links.length - 1)].focus()
  else if (i === 0) (document.getElementById('search-input') as HTMLInputElement).focus()
  else links[i - 1].focus()
}

function home(): HTMLElement {
  const example = (q: string) => h('a', { href: `/explore?q=${encodeURIComponent(q)}` }, q)
  return h('section', { className: 'home', 'aria-labelledby': 'home-heading' },
    h('h1', { id: 'home-heading' }, 'Explore the partner network'),
    h('p', { className: 'lead' }, 'Programmes, partner organisations, events, publications, topics, places and people of the UNICRI Centre for Artificial Intelligence and Robotics, and who organised, co-organised, hosted, published or attended what.'),
    h('p', {}, 'Type in the search box above, or try ', example('Ghent'), ', ', example('INTERPOL'), ', ', example('toolkit'), ' or ', example('Singapore'), '.'),
    h('ul', { className: 'cards' },
      h('li', {}, h('a', { href: '/explore/connect' }, h('strong', {}, 'How are two partners connected?')),
        h('p', {}, 'Pick two entities and see the shortest paths between them, each step in words.')),
      h('li', {}, h('a', { href: '/explore/co-organisations' }, h('strong', {}, 'Who co-organised what?')),
        h('p', {}, 'Pairs of partners and the events they organised together, by period, event kind and topic.')),
      h('li', {}, h('a', { href: '/dashboard' }, h('strong', {}, 'Dashboard')),
        h('p', {}, 'Activity per year, publications, top partners, countries and topics, ready to print.')),
    ))
}
