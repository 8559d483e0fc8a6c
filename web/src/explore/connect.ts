// "How are these two connected?": pick two entities, see the shortest paths drawn and each
// step explained in words. Address: /explore/connect?from=<id>&to=<id>.

import connectionDoc from '../../queries/connection.graphql'
import nodesDoc from '../../queries/nodes.graphql'
import { query } from '../lib/api'
import { h, replace, errorBox, emptyBox, announce, markFirstContent } from '../lib/dom'
import { kindOf, entityHref, humanise, roleLabel } from '../lib/kinds'
import { picker, type Picked } from './picker'
import type { GraphNode } from './cy'
import { navigate } from './router'
import type { Context } from './main'

interface PathNode {
  __typename: string
  id: string
  name?: string
  title?: string
  shortName?: string | null
}

interface Step {
  from: { id: string }
  to: { id: string }
  type: string
  role: string | null
  forward: boolean
  explanation: string
}

interface Path {
  length: number
  nodes: PathNode[]
  steps: Step[]
}

const labelOf = (n: PathNode) => n.name ?? n.title ?? n.id
// Short names (INTERPOL, UNICRI) where organisations have them: for headings and the drawing.
const shortOf = (n: PathNode) => n.shortName || labelOf(n)
const toPicked = (n: PathNode): Picked => ({ id: n.id, label: labelOf(n), kind: kindOf(n.__typename) })

/** /explore/connect */
export async function connectView(ctx: Context): Promise<void> {
  document.title = 'How are they connected? · partnergraph'
  const fromId = ctx.url.searchParams.get('from') ?? ''
  const toId = ctx.url.searchParams.get('to') ?? ''
  const result = h('section', { className: 'connection-result', 'aria-labelledby': 'paths-heading' })
  const submit = h('button', { type: 'submit' }, 'Show connection')
  const from = picker('From', 'from', () => undefined)
  const to = picker('To', 'to', () => undefined)
  const problem = h('p', { className: 'form-error', role: 'alert' })
  const form = h('form', { className: 'connect-form', 'aria-describedby': 'connect-hint' },
    h('div', { className: 'pickers' }, from.el,
      h('button', {
        type: 'button', className: 'swap', 'aria-label': 'Swap from and to',
        onclick: (() => {
          const a = from.value()
          from.set(to.value())
          to.set(a)
        }) as EventListener,
      }, '⇄'),
      to.el),
    h('p', { id: 'connect-hint', className: 'hint' }, 'Type two or more letters and choose from the list; the shortest paths of up to six steps are shown.'),
    problem, submit)
  form.addEventListener('submit', e => {
    e.preventDefault()
    const a = from.value()
    const b = to.value()
    if (!a || !b) {
      problem.textContent = !a ? 'Choose where to start (From).' : 'Choose where to end (To).'
      ;(!a ? from.input : to.input).focus()
      return
    }
    problem.textContent = ''
    ctx.setParams({ from: a.id, to: b.id }, true)
    void show(ctx, result, a.id, b.id, true)
  })
  replace(ctx.main,
    h('h1', {}, 'How are these two connected?'),
    h('p', { className: 'lead' }, 'The shortest chains of relationships between two entities — through events they organised, publications, programmes, places or topics — each step in words.'),
    form, result)

  const ids = [fromId, toId].filter(Boolean)
  if (ids.length) {
    const { nodes } = await query<{ nodes: (PathNode | null)[] }>(nodesDoc, { ids }, ctx.signal)
    const byId = new Map(nodes.filter((n): n is PathNode => !!n).map(n => [n.id, n]))
    if (byId.has(fromId)) from.set(toPicked(byId.get(fromId)!))
    if (byId.has(toId)) to.set(toPicked(byId.get(toId)!))
    const missing = ids.filter(i => !byId.has(i))
    if (missing.length) {
      replace(result, errorBox(`No published entity has the id ${missing.map(m => `“${m}”`).join(' or ')}. Choose again.`))
      markFirstContent()
      return
    }
  }
  if (fromId && toId) await show(ctx, result, fromId, toId, false)
  else markFirstContent()
}

async function show(ctx: Context, box: HTMLElement, fromId: string, toId: string, focus: boolean): Promise<void> {
  replace(box, h('p', { className: 'loading', role: 'status' }, 'Finding paths…'))
  let paths: Path[]
  try {
    if (fromId === toId) {
      replace(box, h('h2', { id: 'paths-heading', tabindex: '-1' }, 'No path to show'), emptyBox('Both ends are the same entity: choose two different ones.'))
      return
    }
    ;({ connection: paths } = await query<{ connection: Path[] }>(connectionDoc, { from: fromId, to: toId }, ctx.signal))
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err
    replace(box, h('h2', { id: 'paths-heading' }, 'Paths'), errorBox(`The paths could not be found: ${(err as Error).message}`))
    markFirstContent()
    return
  }
  const heading = h('h2', { id: 'paths-heading', tabindex: '-1' }, 'Paths')
  if (paths.length === 0) {
    replace(box, heading, emptyBox('These two are not connected within six steps of published relationships.'))
    announce('No connection found')
    markFirstContent()
    if (focus) heading.focus()
    return
  }
  const a = shortOf(paths[0].nodes[0])
  const b = shortOf(paths[0].nodes[paths[0].nodes.length - 1])
  const summary = `${paths.length} shortest path${paths.length === 1 ? '' : 's'} of ${paths[0].length} step${paths[0].length === 1 ? '' : 's'} between ${a} and ${b}.`
  heading.textContent = summary
  const canvas = h('div', { className: 'cy cy-paths', role: 'img', 'aria-label': `Drawing of the paths: ${summary} The numbered lists below give every step.` })
  replace(box, heading, canvas, paths.map((p, i) => pathSection(p, i)))
  announce(summary)
  markFirstContent()
  if (focus) heading.focus()
  const cy = await import('./cy')
  if (ctx.signal.aborted) return
  const drawing = cy.draw(canvas, layoutPaths(paths))
  ;(canvas as HTMLElement & { cy?: unknown }).cy = drawing.cy
  ctx.signal.addEventListener('abort', () => drawing.destroy())
}

function pathSection(p: Path, i: number): HTMLElement {
  const byId = new Map(p.nodes.map(n => [n.id, n]))
  return h('section', { className: 'path', 'aria-labelledby': `path-${i}` },
    h('h3', { id: `path-${i}` }, `Path ${i + 1}: `, p.nodes.map(shortOf).join(' → ')),
    h('ol', { className: 'steps' }, p.steps.map(s => {
      const ends = [byId.get(s.from.id)!, byId.get(s.to.id)!]
      const { parts, linked } = linkify(s.explanation, ends)
      return h('li', { className: 'step' },
        h('p', { className: 'explanation' }, parts),
        h('p', { className: 'step-meta' }, `${humanise(s.type)}${s.role ? ` · ${roleLabel(s.role)}` : ''}`,
          // Ends the sentence does not name get their own links.
          ends.filter(n => !linked.has(n.id)).map(n => [' · ', link(n)])),
      )
    })))
}

const link = (n: PathNode) => h('a', { href: entityHref(kindOf(n.__typename), n.id) }, labelOf(n))

/** The explanation with the names of its two ends turned into links. */
function linkify(text: string, ends: PathNode[]): { parts: (Node | string)[]; linked: Set<string> } {
  const found: { start: number; end: number; node: PathNode }[] = []
  for (const n of ends) {
    const names = [n.name, n.title, n.shortName].filter((x): x is string => !!x).sort((x, y) => y.length - x.length)
    for (const name of names) {
      const at = text.indexOf(name)
      if (at >= 0 && !found.some(f => at < f.end && at + name.length > f.start)) {
        found.push({ start: at, end: at + name.length, node: n })
        break
      }
    }
  }
  found.sort((x, y) => x.start - y.start)
  const out: (Node | string)[] = []
  let pos = 0
  for (const f of found) {
    out.push(text.slice(pos, f.start), h('a', { href: entityHref(kindOf(f.node.__typename), f.node.id) }, text.slice(f.start, f.end)))
    pos = f.end
  }
  out.push(text.slice(pos))
  return { parts: out, linked: new Set(found.map(f => f.node.id)) }
}

/** Places the paths left to right: ends in the middle, each path's inner nodes on its own row. */
function layoutPaths(paths: Path[]) {
  const nodes = new Map<string, GraphNode>()
  const edges = new Map<string, { source: string; target: string; weight: number; label: string }>()
  const inAll = (id: string) => paths.every(p => p.nodes.some(n => n.id === id))
  const mid = ((paths.length - 1) * 110) / 2
  paths.forEach((p, row) => {
    p.nodes.forEach((n, col) => {
      if (nodes.has(n.id)) return
      nodes.set(n.id, {
        id: n.id, label: shortOf(n), kind: kindOf(n.__typename), depth: col,
        centre: col === 0 || col === p.nodes.length - 1,
        x: col * 200, y: inAll(n.id) ? mid : row * 110,
      })
    })
    for (const s of p.steps) {
      const key = [s.from.id, s.to.id].sort().join('|')
      if (!edges.has(key)) edges.set(key, { source: s.from.id, target: s.to.id, weight: 1, label: s.role ? roleLabel(s.role).toLowerCase() : humanise(s.type).toLowerCase() })
    }
  })
  return {
    nodes: [...nodes.values()], edges: [...edges.values()], layout: 'preset' as const,
    onOpen: (n: GraphNode) => navigate(entityHref(n.kind, n.id)),
  }
}
