// The dashboard's charts, drawn with ECharts. Only this module imports ECharts (the parts it
// uses), and the dashboard loads it with a dynamic import, so it is a chunk of its own.
// Every chart keeps its rows: they fill the data table under it and its CSV download.

import * as echarts from 'echarts/core'
import { BarChart, LineChart } from 'echarts/charts'
import { GridComponent, TooltipComponent, LegendComponent, AriaComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'
import { h, replace, download, markFirstContent } from '../lib/dom'
import { humanise, eventKinds } from '../lib/kinds'

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, CanvasRenderer])

interface Bucket {
  key: string
  label: string
  count: number
}

/** The answer of the WebStats document, with the WebNetworkAnalysis one (null when it failed). */
export interface Stats {
  activityByYear: { year: number; events: number; publications: number; byEventKind: Bucket[] }[]
  eventsByTopic: Bucket[]
  eventsByCountry: Bucket[]
  topPartners: Bucket[]
  network?: NetworkAnalysis | null
}

/** The answer of the WebNetworkAnalysis document. */
export interface NetworkAnalysis {
  organisations: number
  evolution: { year: number; activePartners: number; newPartners: number; retainedPartners: number; links: number; density: number }[]
  brokers: { edges: { node: { betweenness: number; degree: number; community: number; organisation: { id: string; name: string; shortName: string | null } } }[] }
}

interface Chart {
  id: string
  title: string
  description: string
  columns: string[]
  rows: (string | number)[][]
  option: echarts.EChartsCoreOption
  /** Taller charts for long category lists. */
  height?: number
}

// Okabe-Ito and two more, for the event kinds in a fixed order.
const kindColours = ['#E69F00', '#56B4E9', '#009E73', '#0072B2', '#D55E00', '#CC79A7', '#F0E442', '#6F6F6F', '#882255']
const font = { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' }

/** Years from the first to the last with activity, without gaps. */
function years(stats: Stats): number[] {
  const ys = stats.activityByYear.map(y => y.year)
  if (!ys.length) return []
  const out: number[] = []
  for (let y = Math.min(...ys); y <= Math.max(...ys); y++) out.push(y)
  return out
}

function charts(stats: Stats): Chart[] {
  const ys = years(stats)
  const byYear = new Map(stats.activityByYear.map(y => [y.year, y]))
  const kinds = eventKinds.filter(k => stats.activityByYear.some(y => y.byEventKind.some(b => b.key === k && b.count > 0)))
  const kindCount = (y: number, k: string) => byYear.get(y)?.byEventKind.find(b => b.key === k)?.count ?? 0
  const eventYears = ys.filter(y => (byYear.get(y)?.events ?? 0) > 0)
  const pubYears = ys.filter(y => (byYear.get(y)?.publications ?? 0) > 0)
  const bars = (buckets: Bucket[], name: string, colour: string): echarts.EChartsCoreOption => {
    const list = [...buckets].reverse() // largest at the top
    return {
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: list.map(b => b.label), axisLabel: { width: 220, overflow: 'truncate' } },
      series: [{ type: 'bar', name, data: list.map(b => b.count), itemStyle: { color: colour }, label: { show: true, position: 'right' } }],
    }
  }
  return [
    {
      id: 'activity',
      title: 'Events per year, by kind',
      description: 'Events the centre and its partners held each year, stacked by kind of event.',
      columns: ['Year', ...kinds.map(humanise), 'All events'],
      rows: eventYears.map(y => [y, ...kinds.map(k => kindCount(y, k)), byYear.get(y)?.events ?? 0]),
      option: {
        grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        legend: { top: 0, type: 'scroll' },
        xAxis: { type: 'category', data: ys.map(String) },
        yAxis: { type: 'value', minInterval: 1 },
        series: kinds.map(k => ({
          type: 'bar', stack: 'events', name: humanise(k), emphasis: { focus: 'series' },
          itemStyle: { color: kindColours[eventKinds.indexOf(k)] }, data: ys.map(y => kindCount(y, k)),
        })),
      },
    },
    {
      id: 'publications',
      title: 'Publications per year',
      description: 'Reports, magazines, toolkits and other publications by year of publication.',
      columns: ['Year', 'Publications'],
      rows: pubYears.map(y => [y, byYear.get(y)?.publications ?? 0]),
      option: {
        grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
        tooltip: { trigger: 'axis' },
        xAxis: { type: 'category', data: ys.map(String) },
        yAxis: { type: 'value', minInterval: 1 },
        series: [{ type: 'bar', name: 'Publications', data: ys.map(y => byYear.get(y)?.publications ?? 0), itemStyle: { color: '#009E73' }, label: { show: true, position: 'top', formatter: (p: { value: number }) => (p.value ? String(p.value) : '') } }],
      },
    },
    {
      id: 'partners',
      title: 'Top partners',
      description: 'Organisations by the engagements (an event with its sessions, a publication) they shared with at least one partner; units count as their organisation unless counted apart.',
      columns: ['Partner', 'Joint events and publications'],
      rows: stats.topPartners.map(b => [b.label, b.count]),
      option: bars(stats.topPartners, 'Joint events and publications', '#0072B2'),
      height: 80 + stats.topPartners.length * 28,
    },
    ...networkCharts(stats.network ?? null),
    {
      id: 'countries',
      title: 'Events by country',
      description: 'Where events were held (a country counts the events in its cities).',
      columns: ['Country', 'Country code', 'Events'],
      rows: stats.eventsByCountry.map(b => [b.label, b.key, b.count]),
      option: bars(stats.eventsByCountry, 'Events', '#D55E00'),
      height: 80 + stats.eventsByCountry.length * 28,
    },
    {
      id: 'topics',
      title: 'Events by topic',
      description: 'Events about each topic; an event about several topics counts for each.',
      columns: ['Topic', 'Events'],
      rows: stats.eventsByTopic.map(b => [b.label, b.count]),
      option: bars(stats.eventsByTopic, 'Events', '#56B4E9'),
      height: 80 + stats.eventsByTopic.length * 28,
    },
  ]
}

/** The partner network's evolution and its brokers; empty rows when the analysis failed. */
function networkCharts(n: NetworkAnalysis | null): Chart[] {
  const ev = n?.evolution ?? []
  const brokers = (n?.brokers.edges ?? []).map(e => e.node).filter(b => b.betweenness > 0)
  const name = (o: { name: string; shortName: string | null }) => o.shortName || o.name
  const line = (label: string, key: 'activePartners' | 'newPartners' | 'retainedPartners', colour: string) => ({
    type: 'line', name: label, data: ev.map(y => y[key]), itemStyle: { color: colour }, symbolSize: 7,
  })
  return [
    {
      id: 'evolution',
      title: 'The partner network, year by year',
      description: 'Organisations with at least one partner in the year, those new to the network, and those retained from the year before; density is the share of possible partnerships that happened.',
      columns: ['Year', 'Active partners', 'New partners', 'Retained partners', 'Links', 'Density'],
      rows: ev.map(y => [y.year, y.activePartners, y.newPartners, y.retainedPartners, y.links, Number(y.density.toFixed(3))]),
      option: {
        grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
        tooltip: { trigger: 'axis' },
        legend: { top: 0 },
        xAxis: { type: 'category', data: ev.map(y => String(y.year)) },
        yAxis: { type: 'value', minInterval: 1 },
        series: [line('Active partners', 'activePartners', '#0072B2'), line('New partners', 'newPartners', '#E69F00'), line('Retained partners', 'retainedPartners', '#009E73')],
      },
    },
    {
      id: 'brokers',
      title: 'Brokers',
      description: 'Organisations that most often lie on the shortest paths between other partners (betweenness): the bridges between groups.',
      columns: ['Organisation', 'Partners', 'Community', 'Betweenness'],
      rows: brokers.map(b => [name(b.organisation), b.degree, b.community, Number(b.betweenness.toFixed(4))]),
      option: {
        grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        xAxis: { type: 'value' },
        yAxis: { type: 'category', data: [...brokers].reverse().map(b => name(b.organisation)), axisLabel: { width: 220, overflow: 'truncate' } },
        series: [{ type: 'bar', name: 'Betweenness', data: [...brokers].reverse().map(b => Number(b.betweenness.toFixed(4))), itemStyle: { color: '#CC79A7' }, label: { show: true, position: 'right' } }],
      },
      height: 80 + brokers.length * 28,
    },
  ]
}

const instances = new Map<string, echarts.ECharts>()

/** Draws every chart into box; returns how many have data. */
export function render(box: HTMLElement, stats: Stats, filters: string): number {
  const list = charts(stats)
  if (!box.querySelector('figure')) replace(box, list.map(c => card(c)))
  let withData = 0
  for (const c of list) {
    const fig = box.querySelector<HTMLElement>(`#chart-${c.id}`)!
    fig.dataset.rows = String(c.rows.length)
    const el = fig.querySelector<HTMLElement>('.chart')!
    const empty = fig.querySelector<HTMLElement>('.chart-empty')!
    const table = fig.querySelector<HTMLElement>('.chart-data')!
    const buttons = fig.querySelectorAll<HTMLButtonElement>('.chart-actions button')
    replace(table, dataTable(c))
    const summary = summarise(c)
    let chart = instances.get(c.id)
    if (c.rows.length === 0) {
      chart?.clear()
      el.hidden = true
      empty.hidden = false
      for (const b of buttons) b.disabled = true
      continue
    }
    withData++
    el.hidden = false
    empty.hidden = true
    for (const b of buttons) b.disabled = false
    el.style.height = `${Math.max(c.height ?? 300, 220)}px`
    if (!chart) {
      chart = echarts.init(el, undefined, { renderer: 'canvas' })
      instances.set(c.id, chart)
    } else chart.resize()
    chart.setOption({
      animation: false, textStyle: font, ...c.option,
      aria: { enabled: true, label: { description: `${c.title} (${filters}). ${summary}` } },
    }, { notMerge: true })
    fig.dataset.filters = filters
  }
  markFirstContent()
  return withData
}

function card(c: Chart): HTMLElement {
  const fig: HTMLElement = h('figure', { className: 'chart-card', id: `chart-${c.id}`, 'aria-labelledby': `chart-${c.id}-title` },
    h('figcaption', {}, h('h2', { id: `chart-${c.id}-title` }, c.title), h('p', { className: 'desc' }, c.description)),
    h('div', { className: 'chart' }),
    h('p', { className: 'chart-empty empty', hidden: true }, 'No data for these filters.'),
    h('div', { className: 'chart-actions' },
      h('button', { type: 'button', 'data-format': 'csv', 'aria-label': `Download “${c.title}” as CSV`, onclick: (() => exportCSV(c.id)) as EventListener }, 'CSV'),
      h('button', { type: 'button', 'data-format': 'png', 'aria-label': `Download “${c.title}” as PNG`, onclick: (() => exportPNG(c.id)) as EventListener }, 'PNG'),
    ),
    h('details', { className: 'chart-table' }, h('summary', {}, 'Data table'), h('div', { className: 'chart-data' })),
  )
  return fig
}

function dataTable(c: Chart): HTMLElement {
  if (!c.rows.length) return h('p', {}, 'No rows.')
  return h('table', {},
    h('caption', { className: 'visually-hidden' }, c.title),
    h('thead', {}, h('tr', {}, c.columns.map(col => h('th', { scope: 'col' }, col)))),
    h('tbody', {}, c.rows.map(r => h('tr', {}, r.map((v, i) => (i === 0 ? h('th', { scope: 'row' }, String(v)) : h('td', {}, String(v))))))))
}

function summarise(c: Chart): string {
  const total = c.rows.reduce((n, r) => n + Number(r[r.length - 1]), 0)
  const top = [...c.rows].sort((a, b) => Number(b[b.length - 1]) - Number(a[a.length - 1]))[0]
  return `${c.rows.length} rows, ${total} in all; the largest is ${top?.[0]} with ${top?.[top.length - 1]}.`
}

// The rows behind the last render of each chart, for the downloads.
function current(id: string): Chart | undefined {
  const fig = document.getElementById(`chart-${id}`)
  const table = fig?.querySelector('table')
  if (!fig || !table) return undefined
  const columns = [...table.querySelectorAll('thead th')].map(th => th.textContent ?? '')
  const rows = [...table.querySelectorAll('tbody tr')].map(tr => [...tr.children].map(td => td.textContent ?? ''))
  return { id, title: fig.querySelector('h2')?.textContent ?? id, description: '', columns, rows, option: {} }
}

const csvField = (v: string | number) => (/[",\n\r]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v))
const fileName = (id: string, ext: string) => {
  const qs = new URLSearchParams(location.search)
  const bits = [...qs.entries()].map(([k, v]) => `${k}-${v}`.replace(/[^A-Za-z0-9-]+/g, '_'))
  return ['partnergraph', id, ...bits].join('_') + '.' + ext
}

function exportCSV(id: string): void {
  const c = current(id)
  if (!c) return
  const text = [c.columns, ...c.rows].map(r => r.map(csvField).join(',')).join('\r\n') + '\r\n'
  download(fileName(id, 'csv'), new Blob([text], { type: 'text/csv;charset=utf-8' }))
}

function exportPNG(id: string): void {
  const chart = instances.get(id)
  if (!chart) return
  const url = chart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#ffffff' })
  // Decoded here rather than fetched: the page's policy allows connections to its own origin only.
  const bytes = Uint8Array.from(atob(url.slice(url.indexOf(',') + 1)), ch => ch.charCodeAt(0))
  download(fileName(id, 'png'), new Blob([bytes], { type: 'image/png' }))
}

// Charts follow their box: on resize, and at print time (the page is narrower on paper).
let resizeTimer: ReturnType<typeof setTimeout> | undefined
const resizeAll = () => {
  for (const c of instances.values()) c.resize()
}
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer)
  resizeTimer = setTimeout(resizeAll, 100)
})
// On paper the data tables print under their charts: open them for the print, then restore.
let closed: HTMLDetailsElement[] = []
window.addEventListener('beforeprint', () => {
  closed = [...document.querySelectorAll<HTMLDetailsElement>('details.chart-table:not([open])')]
  for (const d of closed) d.open = true
  resizeAll()
})
window.addEventListener('afterprint', () => {
  for (const d of closed) d.open = false
  closed = []
  resizeAll()
})
