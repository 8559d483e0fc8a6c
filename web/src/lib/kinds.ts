// Names, colours and paths of the graph's kinds, roles and relationship types.

export type NodeKind = 'ORGANISATION' | 'EVENT' | 'PUBLICATION' | 'PROGRAMME' | 'TOPIC' | 'PLACE' | 'PERSON'

export const nodeKinds: NodeKind[] = ['ORGANISATION', 'EVENT', 'PUBLICATION', 'PROGRAMME', 'TOPIC', 'PLACE', 'PERSON']

interface KindInfo {
  label: string
  plural: string
  path: string
  colour: string // Okabe-Ito: tells kinds apart for colour-blind readers too
  shape: string // cytoscape node shape, so kinds differ by more than colour
}

export const kindInfo: Record<NodeKind, KindInfo> = {
  ORGANISATION: { label: 'Organisation', plural: 'Organisations', path: 'organisation', colour: '#0072B2', shape: 'ellipse' },
  EVENT: { label: 'Event', plural: 'Events', path: 'event', colour: '#E69F00', shape: 'round-diamond' },
  PUBLICATION: { label: 'Publication', plural: 'Publications', path: 'publication', colour: '#009E73', shape: 'round-rectangle' },
  PROGRAMME: { label: 'Programme', plural: 'Programmes', path: 'programme', colour: '#CC79A7', shape: 'round-hexagon' },
  TOPIC: { label: 'Topic', plural: 'Topics', path: 'topic', colour: '#56B4E9', shape: 'round-triangle' },
  PLACE: { label: 'Place', plural: 'Places', path: 'place', colour: '#D55E00', shape: 'round-tag' },
  PERSON: { label: 'Person', plural: 'People', path: 'person', colour: '#6F6F6F', shape: 'ellipse' },
}

/** The kind of a GraphQL __typename. */
export function kindOf(typename: string): NodeKind {
  const k = typename.toUpperCase() as NodeKind
  return k in kindInfo ? k : 'ORGANISATION'
}

/** The kind of an entity page path segment, or undefined. */
export function kindOfPath(segment: string): NodeKind | undefined {
  return nodeKinds.find(k => kindInfo[k].path === segment)
}

/** The explorer address of an entity. */
export function entityHref(kind: NodeKind, id: string): string {
  return `/explore/${kindInfo[kind].path}/${encodeURIComponent(id)}`
}

/** SOME_ENUM -> "Some enum". */
export function humanise(v: string | null | undefined): string {
  if (!v) return ''
  const s = v.toLowerCase().replace(/_/g, ' ')
  return s.charAt(0).toUpperCase() + s.slice(1)
}

const roleLabels: Record<string, string> = {
  ORGANISER: 'Organiser', CO_ORGANISER: 'Co-organiser', HOST: 'Host', SUPPORTER: 'Supporter', FUNDER: 'Funder',
  PARTNER: 'Partner', PARTICIPANT: 'Participant', PRESENTER: 'Presenter', SPEAKER: 'Speaker',
  PUBLISHER: 'Publisher', CO_PUBLISHER: 'Co-publisher',
}

export function roleLabel(role: string | null | undefined): string {
  return role ? roleLabels[role] ?? humanise(role) : 'No role given'
}

/** Organisation, event, publication and place sub-kinds. */
export const orgKindLabels: Record<string, string> = {
  UN_BODY: 'UN body', INTERNATIONAL_ORGANISATION: 'International organisation', GOVERNMENT: 'Government',
  MINISTRY: 'Ministry', MUNICIPALITY: 'Municipality', UNIVERSITY: 'University', COMPANY: 'Company',
  CIVIL_SOCIETY: 'Civil society', LAW_ENFORCEMENT: 'Law enforcement', RESEARCH_CENTRE: 'Research centre', OTHER: 'Other',
}

export const eventKinds = ['MEETING', 'TRAINING', 'CONFERENCE', 'LAUNCH', 'PANEL', 'ROUNDTABLE', 'VISIT', 'WORKSHOP', 'PRESENTATION']

/** A Date scalar ("2018", "2018-07", "2018-07-11") for people. */
export function formatDate(d: string | null | undefined): string {
  if (!d) return ''
  const [y, m, day] = d.split('-').map(Number)
  if (!m) return String(y)
  const month = new Date(Date.UTC(y, m - 1, day || 1)).toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' })
  return day ? `${day} ${month} ${y}` : `${month} ${y}`
}

/** A period between two dates. */
export function formatPeriod(from: string | null | undefined, to: string | null | undefined): string {
  if (from && to && from !== to) return `${formatDate(from)} – ${formatDate(to)}`
  return formatDate(from || to)
}
