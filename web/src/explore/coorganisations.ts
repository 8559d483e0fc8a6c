// The co-organisation table: which partners organised which events together, filtered by
// period, event kind, topic and partner; or, with view=matrix, the same as a matrix of the top
// partners (matrix.ts, loaded on demand). Address:
// /explore/co-organisations?from=2018&to=2018&kind=MEETING&topic=<id>&partner=<id>&after=<cursor>
// /explore/co-organisations?from=2018&to=2018&view=matrix&cell=<id>,<id>

import coDoc from '../../queries/co-organisations.graphql'
import { query } from '../lib/api'
import { h, replace, emptyBox, errorBox, announce, markFirstContent } from '../lib/dom'
import { entityHref, eventKinds, humanise, formatDate } from '../lib/kinds'
import { filterOptions, fillSelect, partnerLabel, type Options } from '../lib/options'
import { maxPartners } from './matrix-limits'
import { navigate } from './router'
import type { Context } from './main'

/** An organisation of a pair. */
export interface Org {
  id: string
  name: string
  shortName: string | null
}

/** Two partners and the events they organised together. */
export interface Pair {
  a: Org
  b: Org
  count: number
  first: string | null
  last: string | null
  events: { id: string; title: string; kind: string; startDate: string | null; place: { name: string } | null }[]
}

/** The answer of WebCoOrganisations. */
export interface CoData {
  coOrganisations: { totalCount: number; edges: { node: Pair }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }
}

const fields = ['from', 'to', 'kind', 'topic', 'partner', 'view'] as const
const year = (v: string | null) => (v && /^\d{4}$/.test(v) ? v : '')

/** /explore/co-organisations */
export async function coOrganisationsView(ctx: Context): Promise<void> {
  const p = ctx.url.searchParams
  const state = { from: year(p.get('from')), to: year(p.get('to')), kind: eventKinds.includes(p.get('kind') ?? '') ? p.get('kind')! : '', topic: p.get('topic') ?? '', partner: p.get('partner') ?? '' }
  const matrix = p.get('view') === 'matrix'
  const after = matrix ? '' : p.get('after') ?? ''
  document.title = (matrix ? 'Co-organisation matrix' : 'Co-organisation') + ' · partnergraph'

  const input = (name: string, label: string, value: string) => h('label', {}, label,
    h('input', { name, type: 'number', inputmode: 'numeric', min: '1900', max: '2100', step: '1', value }))
  const kindSelect = h('select', { name: 'kind' }, h('option', { value: '' }, 'All kinds'),
    eventKinds.map(k => h('option', { value: k, selected: k === state.kind }, humanise(k))))
  const topicSelect = h('select', { name: 'topic' }, h('option', { value: '' }, 'All topics'))
  const partnerSelect = h('select', { name: 'partner' }, h('option', { value: '' }, 'All partners'))
  const form = h('form', { className: 'filters', action: '/explore/co-organisations' },
    h('fieldset', {},
      h('legend', {}, 'Filters'),
      h('div', { className: 'filter-grid' },
        input('from', 'From year', state.from), input('to', 'To year', state.to),
        h('label', {}, 'Event kind', kindSelect),
        h('label', {}, 'Topic', topicSelect),
        h('label', {}, 'Partner', partnerSelect),
        h('button', { type: 'submit' }, 'Show'),
        h('a', { href: matrix ? '/explore/co-organisations?view=matrix' : '/explore/co-organisations', className: 'button-link' }, 'Clear filters'),
      )),
    h('fieldset', { className: 'view-switch' },
      h('legend', {}, 'Show as'),
      h('label', {}, h('input', { type: 'radio', name: 'view', value: '', checked: !matrix }), 'Table of pairs'),
      h('label', {}, h('input', { type: 'radio', name: 'view', value: 'matrix', checked: matrix }), `Matrix of the top ${maxPartners} partners`)))
  const apply = () => {
    const fd = new FormData(form)
    const qs = new URLSearchParams()
    for (const f of fields) {
      const v = String(fd.get(f) ?? '').trim()
      if (v) qs.set(f, v)
    }
    navigate(`/explore/co-organisations${qs.size ? `?${qs}` : ''}`, { replace: true, focus: false })
  }
  form.addEventListener('submit', e => {
    e.preventDefault()
    apply()
  })
  form.addEventListener('change', e => {
    const t = e.target as HTMLInputElement
    if (t.tagName === 'SELECT' || t.type === 'radio') apply()
  })
  const result = h('div', { className: 'coorg-result' }, h('p', { className: 'loading', role: 'status' }, 'Loading…'))
  // A filter change renders the view again: keep the focus on the control that changed.
  const focused = (document.activeElement as HTMLInputElement | null)?.closest('[data-view="coorg"] form') ? (document.activeElement as HTMLInputElement).name : ''
  replace(ctx.main, h('section', { 'data-view': 'coorg', 'aria-labelledby': 'coorg-heading' },
    h('h1', { id: 'coorg-heading' }, 'Who co-organised what?'),
    h('p', { className: 'lead' }, matrix
      ? `Which partners organised, co-organised or hosted events together: the ${maxPartners} partners with the most shared events, each cell the events two of them share.`
      : 'Pairs of partners that organised, co-organised or hosted events together, most shared events first, each with its events.'),
    form, result))
  if (focused) form.querySelector<HTMLElement>(focused === 'view' ? '[name="view"]:checked' : `[name="${focused}"]`)?.focus()

  const filter = {
    from: state.from || undefined, to: state.to || undefined,
    eventKinds: state.kind ? [state.kind] : undefined, topic: state.topic || undefined, organisation: state.partner || undefined,
  }
  const options = filterOptions().catch(() => null)
  void options.then(o => {
    fillSelect(topicSelect, (o?.topics ?? []).map(t => ({ value: t.id, label: t.name })), state.topic)
    fillSelect(partnerSelect, (o?.partners ?? []).map(x => ({ value: x.id, label: partnerLabel(x) })), state.partner)
  })
  const describe = (opts: Options | null) => [
    state.from || state.to ? `${state.from || '…'}–${state.to || '…'}` : '',
    state.kind ? humanise(state.kind).toLowerCase() + ' events' : '',
    state.topic ? `topic ${opts?.topics.find(t => t.id === state.topic)?.name ?? state.topic}` : '',
    state.partner ? `with ${opts?.partners.find(x => x.id === state.partner)?.shortName ?? opts?.partners.find(x => x.id === state.partner)?.name ?? state.partner}` : '',
  ].filter(Boolean).join(', ')
  if (matrix) {
    const [{ renderMatrix }, opts] = await Promise.all([import('./matrix'), options])
    if (ctx.signal.aborted) return
    await renderMatrix(result, ctx, filter, describe(opts))
    return
  }
  let data: CoData
  try {
    data = await query<CoData>(coDoc, { filter, first: 50, after: after || undefined }, ctx.signal)
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err
    replace(result, errorBox(`The table could not be loaded: ${(err as Error).message}`))
    markFirstContent()
    return
  }
  const opts = await options
  const { totalCount, edges, pageInfo } = data.coOrganisations
  if (edges.length === 0) {
    replace(result, emptyBox(totalCount === 0 ? 'No two partners organised an event together with these filters. Widen the period or clear a filter.' : 'No more pairs on this page.'))
    announce('No pairs of partners match')
    markFirstContent()
    return
  }
  const describeFilters = describe(opts)
  const caption = `${totalCount} pair${totalCount === 1 ? '' : 's'} of partners${describeFilters ? ` (${describeFilters})` : ''}`
  const orgCell = (o: Org) => h('span', { className: 'org' }, h('a', { href: entityHref('ORGANISATION', o.id) }, o.shortName || o.name),
    o.shortName && o.shortName !== o.name ? h('span', { className: 'full-name' }, o.name) : null)
  const next = new URL(location.href)
  next.searchParams.set('after', pageInfo.endCursor ?? '')
  const firstPage = new URL(location.href)
  firstPage.searchParams.delete('after')
  replace(result,
    h('table', { className: 'coorg-table' },
      h('caption', {}, caption),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Partners'), h('th', { scope: 'col', className: 'num' }, 'Events together'),
        h('th', { scope: 'col' }, 'First'), h('th', { scope: 'col' }, 'Latest'), h('th', { scope: 'col' }, 'Events'))),
      h('tbody', {}, edges.map(({ node: x }) => h('tr', {},
        h('th', { scope: 'row' }, orgCell(x.a), h('span', { className: 'amp', 'aria-hidden': 'true' }, ' & '), h('span', { className: 'visually-hidden' }, ' and '), orgCell(x.b)),
        h('td', { className: 'num' }, String(x.count)),
        h('td', {}, formatDate(x.first)),
        h('td', {}, formatDate(x.last)),
        h('td', {}, h('ul', { className: 'links' }, x.events.map(ev => h('li', {},
          h('a', { href: entityHref('EVENT', ev.id) }, ev.title),
          h('span', { className: 'detail' }, [humanise(ev.kind), formatDate(ev.startDate), ev.place?.name].filter(Boolean).join(' · '))))))))),
    ),
    h('nav', { className: 'pager', 'aria-label': 'Pages of the table' },
      after ? h('a', { href: firstPage.pathname + firstPage.search }, 'First page') : null,
      pageInfo.hasNextPage && pageInfo.endCursor ? h('a', { href: next.pathname + next.search }, 'Next page') : null,
    ))
  announce(caption)
  markFirstContent()
}
