// The reporting dashboard at /dashboard: one set of filters (period, topic, event kind, partner),
// kept in the address, drives every chart. ECharts is loaded with a dynamic import (its own chunk).

import '../styles/base.css'
import '../styles/dashboard.css'
import statsDoc from '../../queries/stats.graphql'
import networkDoc from '../../queries/network-analysis.graphql'
import { query, ApiError } from '../lib/api'
import { h, replace, errorBox, announce } from '../lib/dom'
import { mountAccess } from '../lib/key'
import { watchChanges } from '../lib/live'
import { eventKinds, humanise } from '../lib/kinds'
import { filterOptions, fillSelect, partnerLabel, type Options } from '../lib/options'
import type { Stats, NetworkAnalysis } from './charts'

const form = document.getElementById('filters') as HTMLFormElement
const status = document.getElementById('status') as HTMLElement
const chartsBox = document.getElementById('charts') as HTMLElement
const meta = document.getElementById('report-meta') as HTMLElement
const fields = ['from', 'to', 'topic', 'kind', 'partner', 'count'] as const
const counts = ['units', 'all']
type Filters = Record<(typeof fields)[number], string>

const control = (name: string) => form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement
let options: Options | null = null
let running: AbortController | null = null

function read(): Filters {
  const p = new URLSearchParams(location.search)
  const year = (v: string | null) => (v && /^\d{4}$/.test(v) ? v : '')
  return {
    from: year(p.get('from')), to: year(p.get('to')), topic: p.get('topic') ?? '',
    kind: eventKinds.includes(p.get('kind') ?? '') ? p.get('kind')! : '', partner: p.get('partner') ?? '',
    count: counts.includes(p.get('count') ?? '') ? p.get('count')! : '',
  }
}

function fromForm(): Filters {
  const out = {} as Filters
  for (const f of fields) out[f] = String(control(f).value ?? '').trim()
  if (!/^\d{4}$/.test(out.from)) out.from = ''
  if (!/^\d{4}$/.test(out.to)) out.to = ''
  return out
}

function describe(f: Filters): string {
  const bits = [
    f.from || f.to ? (f.from === f.to ? f.from : `${f.from || 'any year'} to ${f.to || 'now'}`) : 'all years',
    f.topic ? `topic: ${options?.topics.find(t => t.id === f.topic)?.name ?? f.topic}` : '',
    f.kind ? `event kind: ${humanise(f.kind)}` : '',
    f.partner ? `partner: ${(p => (p ? p.shortName || p.name : f.partner))(options?.partners.find(x => x.id === f.partner))}` : '',
    f.count === 'units' ? 'units apart' : f.count === 'all' ? 'units and sessions apart' : '',
  ]
  return bits.filter(Boolean).join(' · ')
}

async function load(f: Filters): Promise<void> {
  running?.abort()
  const ctrl = new AbortController()
  running = ctrl
  status.textContent = 'Loading…'
  chartsBox.setAttribute('aria-busy', 'true')
  const filter = {
    from: f.from || undefined, to: f.to || undefined, topic: f.topic || undefined,
    eventKinds: f.kind ? [f.kind] : undefined, organisation: f.partner || undefined,
  }
  const counting = { units: f.count !== '', perEvent: f.count === 'all' }
  try {
    // The network analysis may take seconds the first time for a filter; the other charts
    // do not wait for it to fail, and its charts say so if it does.
    const [data, network, charts] = await Promise.all([
      query<{ stats: Stats }>(statsDoc, { filter, top: 10, ...counting }, ctrl.signal),
      query<{ networkAnalysis: NetworkAnalysis }>(networkDoc, { filter, ...counting }, ctrl.signal).then(d => d.networkAnalysis, () => null),
      import('./charts'),
    ])
    data.stats.network = network
    if (ctrl.signal.aborted) return
    const summary = describe(f)
    meta.textContent = `Generated ${new Date().toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' })} · ${summary}`
    const shown = charts.render(chartsBox, data.stats, summary)
    status.textContent = shown === 0 ? 'Nothing matches these filters: widen the period or clear a filter.' : ''
    announce(shown === 0 ? 'No data for these filters' : `Charts updated: ${summary}`)
  } catch (err) {
    if (ctrl.signal.aborted || (err as Error).name === 'AbortError') return
    status.textContent = ''
    const e = err as Error
    replace(chartsBox, errorBox(`The figures could not be loaded: ${e.message}`, e instanceof ApiError && e.requestId ? `Request id ${e.requestId}` : undefined),
      h('p', {}, h('button', { type: 'button', onclick: (() => void load(read())) as EventListener }, 'Try again')))
  } finally {
    chartsBox.removeAttribute('aria-busy')
  }
}

function apply(): void {
  const f = fromForm()
  const qs = new URLSearchParams()
  for (const k of fields) if (f[k]) qs.set(k, f[k])
  const href = `${location.pathname}${qs.size ? `?${qs}` : ''}`
  if (href !== location.pathname + location.search) history.replaceState(null, '', href)
  void load(f)
}

function setForm(f: Filters): void {
  for (const k of fields) control(k).value = f[k]
}

const initial = read()
fillSelect(control('kind') as HTMLSelectElement, eventKinds.map(k => ({ value: k, label: humanise(k) })), initial.kind)
setForm(initial)
form.addEventListener('change', apply)
form.addEventListener('submit', e => {
  e.preventDefault()
  apply()
})
form.addEventListener('reset', e => {
  e.preventDefault()
  setForm({ from: '', to: '', topic: '', kind: '', partner: '', count: '' })
  apply()
})
window.addEventListener('popstate', () => {
  setForm(read())
  void load(read())
})
mountAccess(document.getElementById('access') as HTMLElement, () => void load(fromForm()))
void load(initial)
// The content changed (an editor's mutation, through any server): redraw, once a burst is over.
let redraw: ReturnType<typeof setTimeout> | undefined
watchChanges(() => {
  clearTimeout(redraw)
  redraw = setTimeout(() => {
    announce('The content changed: the charts are redrawn')
    void load(fromForm())
  }, 300)
})
filterOptions().then(o => {
  options = o
  const f = read()
  fillSelect(control('topic') as HTMLSelectElement, o.topics.map(t => ({ value: t.id, label: t.name })), f.topic)
  fillSelect(control('partner') as HTMLSelectElement, o.partners.map(p => ({ value: p.id, label: partnerLabel(p) })), f.partner)
  meta.textContent = meta.textContent?.replace(/ · .*$/, ` · ${describe(f)}`) ?? ''
}).catch(err => {
  status.textContent = `The filter choices could not be loaded: ${(err as Error).message}`
})
