// The network view of an entity page: its neighbourhood drawn with cytoscape (loaded on demand),
// with the same nodes and links as a table for keyboard and screen-reader users. The depth, the
// kinds shown and the nodes expanded are in the address (?depth=&kinds=&expand=).

import networkDoc from '../../queries/network.graphql'
import metricsDoc from '../../queries/network-metrics.graphql'
import { query } from '../lib/api'
import { h, replace, errorBox, emptyBox, announce } from '../lib/dom'
import { kindInfo, nodeKinds, entityHref, humanise, roleLabel, type NodeKind } from '../lib/kinds'
import type { GraphNode, GraphEdge, Drawing } from './cy'
import { navigate } from './router'
import type { Context } from './main'

interface NetworkData {
  network: {
    truncated: boolean
    nodes: { id: string; label: string; kind: NodeKind; depth: number }[]
    edges: { source: string; target: string; types: string[]; roles: string[]; weight: number }[]
  }
}

interface Edge extends GraphEdge {
  types: string[]
  roles: string[]
}

const depths = [1, 2, 3]
const defaultDepth = 2

// Sizing and colouring by the whole partner network's analytics (networkAnalysis).
const sizes = { '': 'Same size', pageRank: 'PageRank', betweenness: 'Betweenness (brokers)', degree: 'Partners' } as const
type SizeBy = keyof typeof sizes
const colours = { '': 'Kind', community: 'Community' } as const
type ColourBy = keyof typeof colours
// Okabe-Ito, then more distinct hues: one per community, the largest first.
const communityColours = ['#E69F00', '#56B4E9', '#009E73', '#0072B2', '#D55E00', '#CC79A7', '#F0E442', '#882255', '#44AA99', '#999933', '#AA4499', '#332288']
const otherColour = '#c9ced4'

interface Metrics { rank: number; pageRank: number; betweenness: number; degree: number; community: number }

/** Mounts the network section for the entity centre into box. */
export async function mountNetwork(box: HTMLElement, ctx: Context, centre: { id: string; label: string; kind: NodeKind }): Promise<void> {
  const params = ctx.url.searchParams
  let depth = Number(params.get('depth')) || defaultDepth
  if (!depths.includes(depth)) depth = defaultDepth
  const kindParam = (params.get('kinds') ?? '').split(',').filter(k => (nodeKinds as string[]).includes(k)) as NodeKind[]
  let kinds = new Set<NodeKind>(kindParam.length ? kindParam : nodeKinds)
  let expanded = (params.get('expand') ?? '').split(',').filter(Boolean)
  let sizeBy = (Object.keys(sizes).includes(params.get('size') ?? '') ? params.get('size') : '') as SizeBy
  let colourBy = (params.get('colour') === 'community' ? 'community' : '') as ColourBy

  const canvas = h('div', { className: 'cy', role: 'img', 'aria-label': `Network around ${centre.label}`, 'aria-describedby': 'network-help' })
  const status = h('p', { className: 'status', id: 'network-status', role: 'status' })
  const list = h('div', { className: 'network-list' })
  const depthSelect = h('select', { id: 'network-depth', name: 'depth' },
    depths.map(d => h('option', { value: String(d), selected: d === depth }, d === 1 ? '1 step' : `${d} steps`)))
  const sizeSelect = h('select', { id: 'network-size', name: 'size' },
    Object.entries(sizes).map(([v, l]) => h('option', { value: v, selected: v === sizeBy }, l)))
  const colourSelect = h('select', { id: 'network-colour', name: 'colour' },
    Object.entries(colours).map(([v, l]) => h('option', { value: v, selected: v === colourBy }, l)))
  const legend = h('div', { className: 'network-legend', id: 'network-legend', 'aria-live': 'polite' })
  const kindBoxes = nodeKinds.map(k => h('input', { type: 'checkbox', name: 'kinds', value: k, checked: kinds.has(k), id: `kind-${k}` }))
  const controls = h('form', { className: 'network-controls', onsubmit: ((e: Event) => e.preventDefault()) as EventListener },
    h('label', { for: 'network-depth' }, 'Reach'), depthSelect,
    h('fieldset', { className: 'kind-filter' },
      h('legend', {}, 'Show'),
      nodeKinds.map((k, i) => h('label', { for: `kind-${k}`, className: 'kind-option' }, kindBoxes[i],
        h('span', { className: `swatch kind-${k}`, 'aria-hidden': 'true' }), kindInfo[k].plural)),
    ),
    h('button', { type: 'button', onclick: (() => drawing?.fit()) as EventListener }, 'Fit to view'),
    h('button', { type: 'button', id: 'network-reset', onclick: (() => { expanded = []; update() }) as EventListener }, 'Collapse expanded'),
  )
  replace(box,
    h('h2', { id: 'network-heading' }, 'Network'),
    controls,
    h('p', { className: 'hint', id: 'network-help' }, 'Click a node to open it; double-click to add its own neighbours. Drag to move, scroll to zoom. The table below lists the same entities.'),
    status, canvas,
    // Under the drawing, so choosing them does not move it.
    h('div', { className: 'network-controls network-analytics' },
      h('label', { for: 'network-size' }, 'Size by'), sizeSelect,
      h('label', { for: 'network-colour' }, 'Colour by'), colourSelect),
    legend,
    h('details', { className: 'network-table' }, h('summary', {}, 'The network as a table'), list))

  let drawing: Drawing | null = null
  let loading: AbortController | null = null
  ctx.signal.addEventListener('abort', () => {
    loading?.abort()
    drawing?.destroy()
  })

  const update = () => {
    ctx.setParams({
      depth: depth === defaultDepth ? undefined : String(depth),
      kinds: kinds.size === nodeKinds.length ? undefined : [...kinds].join(','),
      expand: expanded.length ? expanded.join(',') : undefined,
      size: sizeBy || undefined,
      colour: colourBy || undefined,
    })
    void load()
  }
  sizeSelect.addEventListener('change', () => {
    sizeBy = sizeSelect.value as SizeBy
    update()
  })
  colourSelect.addEventListener('change', () => {
    colourBy = colourSelect.value as ColourBy
    update()
  })
  depthSelect.addEventListener('change', () => {
    depth = Number(depthSelect.value)
    update()
  })
  for (const b of kindBoxes) {
    b.addEventListener('change', () => {
      kinds = new Set(kindBoxes.filter(x => x.checked).map(x => x.value as NodeKind))
      update()
    })
  }

  const open = (n: GraphNode) => {
    if (n.id !== centre.id) navigate(entityHref(n.kind, n.id))
  }
  const expand = (n: GraphNode) => {
    if (n.id === centre.id || expanded.includes(n.id)) return
    expanded = [...expanded, n.id]
    announce(`Adding the neighbours of ${n.label}`)
    update()
  }

  async function load(): Promise<void> {
    loading?.abort()
    const ctrl = new AbortController()
    loading = ctrl
    ctx.signal.addEventListener('abort', () => ctrl.abort())
    status.textContent = 'Loading the network…'
    canvas.setAttribute('aria-busy', 'true')
    const kindList = kinds.size === nodeKinds.length ? undefined : [...kinds]
    if (kinds.size === 0) {
      drawing?.destroy()
      drawing = null
      status.textContent = ''
      replace(list, emptyBox('Choose at least one kind of entity to show.'))
      canvas.replaceChildren()
      canvas.removeAttribute('aria-busy')
      return
    }
    let parts: NetworkData[]
    let cy: typeof import('./cy')
    try {
      ;[cy, ...parts] = await Promise.all([
        import('./cy'),
        query<NetworkData>(networkDoc, { center: centre.id, depth, kinds: kindList }, ctrl.signal),
        ...expanded.map(id => query<NetworkData>(networkDoc, { center: id, depth: 1, kinds: kindList }, ctrl.signal)),
      ]) as [typeof import('./cy'), ...NetworkData[]]
    } catch (err) {
      if (ctrl.signal.aborted) return
      canvas.removeAttribute('aria-busy')
      status.textContent = ''
      replace(list, errorBox(`The network could not be loaded: ${(err as Error).message}`))
      return
    }
    if (ctrl.signal.aborted) return
    const { nodes, edges, truncated } = merge(centre.id, parts, expanded)
    replace(legend)
    if (sizeBy || colourBy) {
      try {
        const metrics = await organisationMetrics(nodes.filter(n => n.kind === 'ORGANISATION').map(n => n.id), ctrl.signal)
        if (ctrl.signal.aborted) return
        replace(legend, paint(nodes, metrics, sizeBy, colourBy))
      } catch (err) {
        if (ctrl.signal.aborted) return
        replace(legend, errorBox(`The partner-network analytics could not be loaded: ${(err as Error).message}`))
      }
    }
    canvas.removeAttribute('aria-busy')
    drawing?.destroy()
    drawing = null
    canvas.replaceChildren()
    if (nodes.length <= 1) {
      status.textContent = `${centre.label} has no published relations of the kinds shown.`
      replace(list, emptyBox('Nothing to list.'))
      canvas.dataset.nodes = String(nodes.length)
      return
    }
    // The time to build and lay out the drawing, for the browser tests' measurements.
    const drawStart = performance.now()
    drawing = cy.draw(canvas, { nodes, edges, layout: 'concentric', onOpen: open, onExpand: expand })
    performance.measure('pg:network-draw', { start: drawStart, end: performance.now(), detail: { nodes: nodes.length, edges: edges.length } })
    // The tests read the drawn graph through the container.
    ;(canvas as HTMLElement & { cy?: unknown }).cy = drawing.cy
    canvas.dataset.nodes = String(nodes.length)
    canvas.dataset.edges = String(edges.length)
    const summary = `${nodes.length} entities and ${edges.length} links within ${depth} step${depth === 1 ? '' : 's'} of ${centre.label}` +
      (expanded.length ? `, with ${expanded.length} expanded` : '') + (truncated ? '; the network was cut off at its size limit' : '') + '.'
    status.textContent = summary
    canvas.setAttribute('aria-label', `Network graph: ${summary} The table below lists the same entities.`)
    replace(list, table(nodes, edges, centre.id, expand))
  }
  await load()
}

/** The partner-network metrics of organisations, by id (a hundred per request). */
async function organisationMetrics(ids: string[], signal: AbortSignal): Promise<Map<string, Metrics>> {
  const chunks: string[][] = []
  for (let i = 0; i < ids.length; i += 100) chunks.push(ids.slice(i, i + 100))
  const parts = await Promise.all(chunks.map(c => query<{ nodes: ({ id: string; metrics?: Metrics | null } | null)[] }>(metricsDoc, { ids: c }, signal)))
  const out = new Map<string, Metrics>()
  for (const p of parts) for (const n of p.nodes) if (n?.metrics) out.set(n.id, n.metrics)
  return out
}

/** Sizes and colours the nodes by their metrics; returns the legend. */
function paint(nodes: GraphNode[], metrics: Map<string, Metrics>, sizeBy: SizeBy, colourBy: ColourBy): HTMLElement {
  const items: HTMLElement[] = []
  if (sizeBy) {
    const value = (m: Metrics) => m[sizeBy as Exclude<SizeBy, ''>]
    const top = Math.max(0, ...[...metrics.values()].map(value))
    for (const n of nodes) {
      const m = metrics.get(n.id)
      n.size = m && top > 0 ? 14 + 36 * Math.sqrt(value(m) / top) : 12
    }
    items.push(h('li', {}, `Size: ${sizes[sizeBy]} in the whole partner network (largest ${top.toFixed(sizeBy === 'degree' ? 0 : 4)})`))
  }
  if (colourBy) {
    const count = new Map<number, number>()
    for (const m of metrics.values()) count.set(m.community, (count.get(m.community) ?? 0) + 1)
    const order = [...count.keys()].sort((a, b) => a - b)
    const colourOf = (c: number) => communityColours[(c - 1) % communityColours.length]
    for (const n of nodes) {
      const m = metrics.get(n.id)
      n.colour = m ? colourOf(m.community) : otherColour
    }
    for (const c of order) {
      items.push(h('li', { className: 'community', 'data-community': String(c), 'data-colour': colourOf(c) },
        h('span', { className: 'legend-swatch', style: `background:${colourOf(c)}`, 'aria-hidden': 'true' }),
        `Community ${c} (${count.get(c)} shown)`))
    }
    items.push(h('li', {}, h('span', { className: 'legend-swatch', style: `background:${otherColour}`, 'aria-hidden': 'true' }), 'Not an organisation of the partner network'))
  }
  return h('ul', { className: 'legend', 'aria-label': 'Legend' }, items)
}

/** Joins the centre's network and the expanded nodes' own, depth counted from the centre. */
function merge(centreId: string, parts: NetworkData[], expanded: string[]): { nodes: GraphNode[]; edges: Edge[]; truncated: boolean } {
  const nodes = new Map<string, GraphNode>()
  const edges = new Map<string, Edge>()
  let truncated = false
  for (const p of parts) {
    truncated ||= p.network.truncated
    for (const n of p.network.nodes) {
      if (!nodes.has(n.id)) nodes.set(n.id, { id: n.id, label: n.label, kind: n.kind, depth: 99 })
    }
    for (const e of p.network.edges) {
      const key = [e.source, e.target].sort().join('|')
      if (!edges.has(key)) edges.set(key, { source: e.source, target: e.target, weight: e.weight, types: e.types, roles: e.roles })
    }
  }
  // Hops from the centre over the merged graph (breadth first).
  const adj = new Map<string, string[]>()
  for (const e of edges.values()) {
    adj.set(e.source, [...(adj.get(e.source) ?? []), e.target])
    adj.set(e.target, [...(adj.get(e.target) ?? []), e.source])
  }
  const queue = [centreId]
  if (nodes.has(centreId)) nodes.get(centreId)!.depth = 0
  while (queue.length) {
    const id = queue.shift()!
    const d = nodes.get(id)!.depth
    for (const next of adj.get(id) ?? []) {
      const n = nodes.get(next)
      if (n && n.depth > d + 1) {
        n.depth = d + 1
        queue.push(next)
      }
    }
  }
  for (const n of nodes.values()) {
    n.centre = n.id === centreId
    n.expanded = expanded.includes(n.id)
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()], truncated }
}

function table(nodes: GraphNode[], edges: Edge[], centreId: string, expand: (n: GraphNode) => void): HTMLElement {
  const links = new Map<string, string[]>()
  const label = new Map(nodes.map(n => [n.id, n.label]))
  for (const e of edges) {
    const how = [...e.types.map(humanise), ...e.roles.map(roleLabel)].join(', ') + (e.weight > 1 ? ` ×${e.weight}` : '')
    links.set(e.source, [...(links.get(e.source) ?? []), `${label.get(e.target)} (${how})`])
    links.set(e.target, [...(links.get(e.target) ?? []), `${label.get(e.source)} (${how})`])
  }
  const sorted = [...nodes].sort((a, b) => a.depth - b.depth || a.label.localeCompare(b.label))
  return h('table', {},
    h('caption', {}, 'Entities in the network, nearest first, with what links them'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Entity'), h('th', { scope: 'col' }, 'Kind'), h('th', { scope: 'col' }, 'Steps'),
      h('th', { scope: 'col' }, 'Linked to'), h('th', { scope: 'col' }, h('span', { className: 'visually-hidden' }, 'Actions')))),
    h('tbody', {}, sorted.map(n => h('tr', {},
      h('th', { scope: 'row' }, h('a', { href: entityHref(n.kind, n.id) }, n.label)),
      h('td', {}, kindInfo[n.kind].label),
      h('td', {}, String(n.depth)),
      h('td', {}, (links.get(n.id) ?? []).join('; ')),
      h('td', {}, n.id === centreId || n.expanded ? '' : h('button', { type: 'button', onclick: (() => expand(n)) as EventListener, 'aria-label': `Expand ${n.label}` }, 'Expand')),
    ))))
}
