// An entity page: facts, relations grouped by type and role (each a link), and its network.

import entityDoc from '../../queries/entity.graphql'
import { watchChanges } from '../lib/live'
import { query } from '../lib/api'
import { h, replace, emptyBox, markFirstContent } from '../lib/dom'
import { kindInfo, kindOf, entityHref, humanise, roleLabel, orgKindLabels, formatDate, formatPeriod, type NodeKind } from '../lib/kinds'
import { mountNetwork } from './network'
import { mountPartners } from './partners'
import type { Context } from './main'

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any

/** One linked entity in a relation list. */
interface Item {
  kind: NodeKind
  id: string
  label: string
  detail?: string
}

/** A relation type with its items, split by role where roles apply. */
interface Group {
  title: string
  type: string // relationship type(s), for the reader who knows the model
  total?: number
  roles: { role: string; items: Item[] }[]
}

const item = (kind: NodeKind, n: Any, detail?: string): Item => ({
  kind, id: n.id, label: n.name ?? n.title ?? n.id, detail: detail || undefined,
})
const org = (n: Any): Item => item(kindOf(n.__typename ?? 'Organisation'), n, n.shortName && n.shortName !== n.name ? n.shortName : '')
const evt = (n: Any): Item => item('EVENT', n, formatDate(n.startDate))
const pub = (n: Any): Item => item('PUBLICATION', n, formatDate(n.published))
const topic = (n: Any): Item => item('TOPIC', n)

/** Groups edges by a key (their role), keeping the order roles first appear in. */
function byRole(edges: Any[], toItem: (e: Any) => Item, key: (e: Any) => string = e => roleLabel(e.role)): { role: string; items: Item[] }[] {
  const out = new Map<string, Item[]>()
  for (const e of edges) {
    const k = key(e)
    if (!out.has(k)) out.set(k, [])
    out.get(k)!.push(toItem(e))
  }
  return [...out].map(([role, items]) => ({ role, items }))
}

const plain = (items: Item[]) => (items.length ? [{ role: '', items }] : [])

const eventRoleNames: Record<string, string> = {
  'ORGANISED ORGANISER': 'Organised', 'ORGANISED CO_ORGANISER': 'Co-organised', 'ORGANISED HOST': 'Hosted',
  'ORGANISED SUPPORTER': 'Supported', 'ORGANISED FUNDER': 'Funded', 'ATTENDED PARTICIPANT': 'Took part in',
  'ATTENDED PRESENTER': 'Presented at', 'ATTENDED SPEAKER': 'Spoke at',
}
const eventRole = (e: Any) => eventRoleNames[`${e.relation} ${e.role}`] ?? `${humanise(e.relation)} (${roleLabel(e.role)})`

/** Facts and relation groups of each kind. */
function describe(n: Any): { facts: [string, Node | string][]; text: string[]; groups: Group[] } {
  const facts: [string, Node | string][] = []
  const link = (it: Item) => h('a', { href: entityHref(it.kind, it.id) }, it.label)
  const fact = (k: string, v: Node | string | null | undefined) => {
    if (v) facts.push([k, v])
  }
  if (n.status === 'DRAFT') fact('Status', 'Draft (visible to analysts only)')
  switch (n.__typename) {
    case 'Organisation':
      fact('Kind', orgKindLabels[n.orgKind] ?? humanise(n.orgKind))
      fact('Short name', n.shortName)
      fact('Founded', formatDate(n.founded))
      if (n.website && /^https?:\/\//i.test(n.website)) fact('Website', h('a', { href: n.website, rel: 'noopener noreferrer external' }, n.website.replace(/^https?:\/\//i, '')))
      if (n.location) fact('Located in', h('span', {}, link(item('PLACE', n.location)), n.location.country ? [', ', link(item('PLACE', n.location.country))] : []))
      if (n.parent) fact('Part of', link(org({ ...n.parent, __typename: 'Organisation' })))
      return {
        facts, text: [n.description].filter(Boolean),
        groups: [
          { title: 'Events', type: 'ORGANISED, ATTENDED', total: n.events.totalCount, roles: byRole(n.events.edges, e => evt(e.node), eventRole) },
          { title: 'Publications', type: 'PUBLISHED', total: n.publications.totalCount, roles: byRole(n.publications.edges, e => pub(e.node)) },
          { title: 'Programmes', type: 'RUNS', roles: byRole(n.programmes.edges, e => item('PROGRAMME', e.node, formatDate(e.node.startDate))) },
          { title: 'Supported by', type: 'SUPPORTS', roles: byRole(n.supporters.edges, e => org(e.node)) },
          { title: 'Units', type: 'PART_OF', roles: plain(n.units.nodes.map((u: Any) => org({ ...u, __typename: 'Organisation' }))) },
          { title: 'Priorities', type: 'PRIORITISES', roles: plain(n.priorities.nodes.map(topic)) },
          { title: 'People', type: 'AFFILIATED_WITH', roles: plain(n.people.nodes.map((p: Any) => item('PERSON', p))) },
          { title: 'Works most with', type: 'shared events, publications and programmes', roles: plain(n.collaborators.edges.map((e: Any) => item('ORGANISATION', e.node.organisation, `${e.node.score} shared`))) },
        ],
      }
    case 'Event':
      fact('Kind', humanise(n.eventKind))
      fact('Format', humanise(n.format))
      fact('When', formatPeriod(n.startDate, n.endDate))
      if (n.place) fact('Where', h('span', {}, link(item('PLACE', n.place)), n.place.country ? [', ', link(item('PLACE', n.place.country))] : []))
      if (n.partOf) fact('Part of', link(evt(n.partOf)))
      if (n.programme) fact('Programme', link(item('PROGRAMME', n.programme)))
      return {
        facts, text: [n.summary, n.body].filter(Boolean),
        groups: [
          { title: 'Organised by', type: 'ORGANISED', roles: byRole(n.organisers.edges, e => org(e.node)) },
          { title: 'Attended by', type: 'ATTENDED', roles: byRole(n.participants.edges, e => org(e.node)) },
          { title: 'Publications', type: 'LAUNCHED_AT, SUMMARISES', roles: plain(n.publications.nodes.map(pub)) },
          { title: 'Sessions and side events', type: 'PART_OF', roles: plain(n.parts.nodes.map(evt)) },
          { title: 'Topics', type: 'ABOUT', roles: plain(n.topics.nodes.map(topic)) },
        ],
      }
    case 'Publication':
      fact('Kind', humanise(n.publicationKind))
      fact('Published', formatDate(n.published))
      fact('Issue', n.issue)
      if (n.itemCount != null) fact('Items', String(n.itemCount))
      if (n.partOf) fact('Part of', link(pub(n.partOf)))
      if (n.programme) fact('Programme', link(item('PROGRAMME', n.programme)))
      return {
        facts, text: [n.summary, n.body].filter(Boolean),
        groups: [
          { title: 'Published by', type: 'PUBLISHED', roles: byRole(n.publishers.edges, e => org(e.node)) },
          { title: 'Launched at', type: 'LAUNCHED_AT', roles: plain(n.launchedAt.nodes.map(evt)) },
          { title: 'Summarises', type: 'SUMMARISES', roles: plain(n.summarises.nodes.map(evt)) },
          { title: 'Features', type: 'FEATURES', roles: plain(n.features.nodes.map((p: Any) => item('PERSON', p))) },
          { title: 'Topics', type: 'ABOUT', roles: plain(n.topics.nodes.map(topic)) },
        ],
      }
    case 'Programme':
      fact('Runs', formatPeriod(n.startDate, n.endDate))
      return {
        facts, text: [n.summary, n.body].filter(Boolean),
        groups: [
          { title: 'Run by', type: 'RUNS', roles: byRole(n.partners.edges, e => org(e.node)) },
          { title: 'Events', type: 'IN_PROGRAMME', total: n.programmeEvents.totalCount, roles: plain(n.programmeEvents.nodes.map(evt)) },
          { title: 'Publications', type: 'IN_PROGRAMME', total: n.programmePublications.totalCount, roles: plain(n.programmePublications.nodes.map(pub)) },
          { title: 'Topics', type: 'ABOUT', roles: plain(n.topics.nodes.map(topic)) },
        ],
      }
    case 'Topic':
      return {
        facts, text: [n.description].filter(Boolean),
        groups: [
          { title: 'Events about it', type: 'ABOUT', total: n.topicEvents.totalCount, roles: plain(n.topicEvents.nodes.map(evt)) },
          { title: 'Publications about it', type: 'ABOUT', total: n.topicPublications.totalCount, roles: plain(n.topicPublications.nodes.map(pub)) },
          { title: 'A priority of', type: 'PRIORITISES', roles: plain(n.prioritisedBy.nodes.map((o: Any) => org({ ...o, __typename: 'Organisation' }))) },
        ],
      }
    case 'Place':
      fact('Kind', humanise(n.placeKind))
      fact('Country code', n.countryCode)
      if (n.country) fact('Country', link(item('PLACE', n.country)))
      return {
        facts, text: [],
        groups: [
          { title: 'Events held here', type: 'HELD_IN', total: n.placeEvents.totalCount, roles: plain(n.placeEvents.nodes.map(evt)) },
          { title: 'Organisations based here', type: 'LOCATED_IN', roles: plain(n.organisations.nodes.map((o: Any) => org({ ...o, __typename: 'Organisation' }))) },
        ],
      }
    case 'Person':
      return {
        facts, text: [],
        groups: [
          { title: 'Affiliations', type: 'AFFILIATED_WITH', roles: plain(n.affiliations.edges.map((e: Any) => org({ ...e.node, __typename: 'Organisation', shortName: e.title }))) },
          { title: 'Events', type: 'ORGANISED, ATTENDED', roles: byRole(n.personEvents.edges, e => evt(e.node), eventRole) },
        ],
      }
  }
  return { facts, text: [], groups: [] }
}

/** /explore/<kind>/<id> */
export async function entityView(ctx: Context, kind: NodeKind, id: string): Promise<void> {
  document.title = `${kindInfo[kind].label} · partnergraph`
  replace(ctx.main, h('p', { className: 'loading', role: 'status' }, `Loading ${kindInfo[kind].label.toLowerCase()}…`))
  const { node } = await query<{ node: Any }>(entityDoc, { id }, ctx.signal)
  if (!node) {
    document.title = 'Not found · partnergraph'
    replace(ctx.main, h('h1', {}, `No ${kindInfo[kind].label.toLowerCase()} “${id}”`),
      emptyBox('Nothing published has this id. It may have been removed, or be a draft: analysts can enter their key (Analyst access, above) to see drafts.'),
      h('p', {}, h('a', { href: '/explore' }, 'Search the explorer')))
    return
  }
  const actual = kindOf(node.__typename)
  const label: string = node.name ?? node.title ?? node.id
  document.title = `${label} · ${kindInfo[actual].label} · partnergraph`
  const { facts, text, groups } = describe(node)
  const shown = groups.filter(g => g.roles.some(r => r.items.length))
  const networkBox = h('section', { className: 'network', 'aria-labelledby': 'network-heading' })
  const partnersBox = actual === 'ORGANISATION' ? h('section', { className: 'partners', 'aria-labelledby': 'partners-heading' }) : null
  replace(ctx.main,
    h('article', { className: `entity kind-${actual}`, 'aria-labelledby': 'entity-heading' },
      h('p', { className: 'eyebrow' }, h('span', { className: `swatch kind-${actual}`, 'aria-hidden': 'true' }), kindInfo[actual].label),
      h('h1', { id: 'entity-heading' }, label),
      facts.length ? h('dl', { className: 'facts' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])) : null,
      text.map(t => h('p', { className: 'prose' }, t)),
      h('ul', { className: 'actions', 'aria-label': 'Explore from here' },
        h('li', {}, h('a', { href: `/explore/connect?from=${encodeURIComponent(node.id)}` }, 'How is it connected to…')),
        actual === 'ORGANISATION' ? h('li', {}, h('a', { href: `/explore/co-organisations?partner=${encodeURIComponent(node.id)}` }, 'Events it co-organised, by partner')) : null,
      ),
      h('div', { className: 'entity-body' },
        h('section', { className: 'relations', 'aria-labelledby': 'relations-heading' },
          h('h2', { id: 'relations-heading' }, 'Relations'),
          shown.length ? h('div', { className: 'relation-groups' }, shown.map(relationGroup)) : emptyBox('No published relations.')),
        networkBox,
        partnersBox,
      ),
    ))
  markFirstContent()
  watchEntity(ctx, node.id)
  if (partnersBox) void mountPartners(partnersBox, ctx, node.id)
  // The network loads on its own (it reports its errors in its section); the page is ready.
  void mountNetwork(networkBox, ctx, { id: node.id, label, kind: actual })
}

// watchEntity says on the page when the entity changes (through any server), until the reader
// leaves it: an update offers a reload, a removal says so.
function watchEntity(ctx: Context, id: string): void {
  const stop = watchChanges(c => {
    const article = ctx.main.querySelector('article.entity')
    if (!article) return
    const gone = c.operation === 'DELETED' || c.operation === 'UNPUBLISHED'
    const text = gone ? 'This entity was removed just now.' : 'This entity changed just now.'
    const notice = h('p', { className: 'changed', role: 'status', 'data-operation': c.operation }, text, ' ',
      gone ? null : h('button', { type: 'button', onclick: (() => location.reload()) as EventListener }, 'Reload'))
    article.querySelector('p.changed')?.remove()
    article.querySelector('h1')?.after(notice)
  }, [id])
  ctx.signal.addEventListener('abort', stop, { once: true })
}

let groupSeq = 0

function relationGroup(g: Group): HTMLElement {
  const id = `rel-${++groupSeq}`
  const count = g.roles.reduce((n, r) => n + r.items.length, 0)
  const more = g.total && g.total > count ? ` (first ${count} of ${g.total})` : ` (${count})`
  return h('section', { className: 'relation-group', 'aria-labelledby': id },
    h('h3', { id }, g.title, h('span', { className: 'count' }, more), h('span', { className: 'reltype' }, g.type)),
    g.roles.map(r => [
      r.role ? h('h4', {}, r.role) : null,
      h('ul', { className: 'links' }, r.items.map(it => h('li', {},
        h('span', { className: `swatch kind-${it.kind}`, title: kindInfo[it.kind].label, 'aria-hidden': 'true' }),
        h('a', { href: entityHref(it.kind, it.id) }, it.label),
        h('span', { className: 'visually-hidden' }, ` (${kindInfo[it.kind].label})`),
        it.detail ? h('span', { className: 'detail' }, it.detail) : null,
      ))),
    ]))
}
