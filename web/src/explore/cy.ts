// Graph drawing with cytoscape. Only this module imports cytoscape, and it is loaded with a
// dynamic import, so the library is a chunk of its own that only graph views fetch.

import cytoscape from 'cytoscape'
import { kindInfo, type NodeKind } from '../lib/kinds'

export interface GraphNode {
  id: string
  label: string
  kind: NodeKind
  depth: number
  centre?: boolean
  expanded?: boolean
  /** Overrides of the kind's colour and the default size (px), e.g. by community and centrality. */
  colour?: string
  size?: number
  x?: number
  y?: number
}

export interface GraphEdge {
  source: string
  target: string
  weight: number
  label?: string
}

export interface DrawOptions {
  nodes: GraphNode[]
  edges: GraphEdge[]
  /** concentric: rings by depth around the centre; preset: the nodes' own x and y. */
  layout: 'concentric' | 'preset'
  onOpen?: (n: GraphNode) => void
  onExpand?: (n: GraphNode) => void
}

/** A drawn graph. */
export interface Drawing {
  cy: cytoscape.Core
  destroy(): void
  fit(): void
}

const short = (s: string) => (s.length > 48 ? s.slice(0, 46) + '…' : s)

/** Draws a graph into container, replacing what was there. */
export function draw(container: HTMLElement, o: DrawOptions): Drawing {
  const maxWeight = Math.max(1, ...o.edges.map(e => e.weight))
  const byId = new Map(o.nodes.map(n => [n.id, n]))
  // Deterministic starting positions (rings by depth), so the same network draws the same way.
  const seed = new Map<string, { x: number; y: number }>()
  if (o.layout !== 'preset') {
    const rings = new Map<number, GraphNode[]>()
    for (const n of o.nodes) rings.set(n.depth, [...(rings.get(n.depth) ?? []), n])
    for (const [d, ring] of rings) {
      ring.forEach((n, i) => {
        const a = (2 * Math.PI * i) / ring.length + d * 0.7
        seed.set(n.id, { x: Math.cos(a) * d * 140, y: Math.sin(a) * d * 140 })
      })
    }
  }
  const cy = cytoscape({
    container,
    elements: [
      ...o.nodes.map(n => ({
        group: 'nodes' as const,
        data: {
          id: n.id, label: n.label, short: short(n.label), colour: n.colour ?? kindInfo[n.kind].colour, shape: kindInfo[n.kind].shape,
          depth: n.depth, centre: !!n.centre, expanded: !!n.expanded, ...(n.size ? { size: n.size } : {}),
        },
        position: n.x !== undefined && n.y !== undefined ? { x: n.x, y: n.y } : seed.get(n.id),
      })),
      ...o.edges.filter(e => byId.has(e.source) && byId.has(e.target)).map(e => ({
        group: 'edges' as const,
        data: { id: `${e.source}|${e.target}`, source: e.source, target: e.target, weight: e.weight, label: e.label ?? '' },
      })),
    ],
    style: [
      {
        selector: 'node',
        style: {
          'background-color': 'data(colour)', shape: 'data(shape)' as never, label: 'data(short)', width: 18, height: 18,
          'font-size': 10, color: '#1b1f24', 'text-valign': 'bottom', 'text-margin-y': 3, 'text-wrap': 'wrap', 'text-max-width': '120px', 'min-zoomed-font-size': 7,
          'text-background-color': '#ffffff', 'text-background-opacity': 0.85, 'text-background-padding': '1px',
          'border-width': 1, 'border-color': '#ffffff',
        },
      },
      { selector: 'node[size]', style: { width: 'data(size)', height: 'data(size)' } },
      { selector: 'node[?centre]', style: { width: 30, height: 30, 'border-width': 3, 'border-color': '#1b1f24', 'font-size': 12, 'font-weight': 'bold' } },
      { selector: 'node[?expanded]', style: { 'border-width': 2, 'border-color': '#1b1f24', 'border-style': 'dashed' } },
      {
        selector: 'edge',
        style: {
          width: `mapData(weight, 1, ${Math.max(2, maxWeight)}, 1.2, 7)` as never, 'line-color': '#8d99a6', 'curve-style': 'bezier', opacity: 0.85,
          label: 'data(label)', 'font-size': 8, color: '#4a5560', 'text-rotation': 'autorotate', 'text-background-color': '#ffffff', 'text-background-opacity': 0.8,
        },
      },
      { selector: 'node:selected', style: { 'border-width': 3, 'border-color': '#c2185b' } },
      { selector: '.faded', style: { opacity: 0.2 } },
    ],
    layout: o.layout === 'preset'
      ? { name: 'preset', padding: 24 }
      : o.nodes.length <= 12
        ? ({
            name: 'concentric', padding: 24, animate: false, minNodeSpacing: 46, startAngle: 1.5 * Math.PI, avoidOverlap: true,
            concentric: (n: cytoscape.NodeSingular) => 100 - Number(n.data('depth')), levelWidth: () => 1,
          } as cytoscape.LayoutOptions)
        : ({
            // Force-directed for larger networks; a fixed seed layout first keeps runs alike.
            // Above 150 nodes it cools faster (0.95 instead of cytoscape's 0.99): about 130
            // rounds instead of 690, so 500 nodes lay out in about 1 s instead of 7 s on the
            // test machine, and look alike (docs/web.md, smoothness).
            name: 'cose', animate: false, padding: 24, randomize: false, nodeDimensionsIncludeLabels: false,
            idealEdgeLength: () => 90, nodeRepulsion: () => 40000, edgeElasticity: () => 60, gravity: 0.3, numIter: 2000, componentSpacing: 60,
            coolingFactor: o.nodes.length > 150 ? 0.95 : 0.99,
          } as cytoscape.LayoutOptions),
    minZoom: 0.2,
    maxZoom: 3,
    multiClickDebounceTime: 250,
  })
  const nodeOf = (t: cytoscape.NodeSingular) => byId.get(t.id())!
  // onetap waits out a possible second tap, so a double-click expands without opening.
  cy.on('onetap', 'node', e => o.onOpen?.(nodeOf(e.target)))
  cy.on('dbltap', 'node', e => o.onExpand?.(nodeOf(e.target)))
  cy.on('mouseover', 'node', e => {
    const hood = e.target.closedNeighborhood()
    cy.elements().not(hood).addClass('faded')
    container.style.cursor = 'pointer'
  })
  cy.on('mouseout', 'node', () => {
    cy.elements().removeClass('faded')
    container.style.cursor = ''
  })
  return { cy, destroy: () => cy.destroy(), fit: () => cy.fit(undefined, 24) }
}
