// An organisation page's place in the partner network: its ranks (PageRank, betweenness,
// closeness, community) and the partners it might approach next, each with the common
// partners and shared topics the suggestion rests on. Loaded after the page: the analysis of
// the whole network may take a moment the first time after a change.

import orgNetworkDoc from '../../queries/organisation-network.graphql'
import { query } from '../lib/api'
import { h, replace, errorBox, emptyBox } from '../lib/dom'
import { entityHref } from '../lib/kinds'
import type { Context } from './main'

interface Named { id: string; name: string; shortName?: string | null }
interface OrgNetwork {
  organisation: {
    metrics: { rank: number; degree: number; weightedDegree: number; pageRank: number; betweenness: number; closeness: number; community: number } | null
    suggestedPartners: { score: number; organisation: Named; commonPartners: Named[]; sharedTopics: { id: string; name: string }[] }[]
  } | null
}

const label = (o: Named) => o.shortName || o.name
const orgLink = (o: Named) => h('a', { href: entityHref('ORGANISATION', o.id) }, label(o))

/** Mounts the partner-network section of organisation id into box. */
export async function mountPartners(box: HTMLElement, ctx: Context, id: string): Promise<void> {
  replace(box, h('h2', { id: 'partners-heading' }, 'In the partner network'), h('p', { className: 'status', role: 'status' }, 'Loading the partner network…'))
  let data: OrgNetwork
  try {
    data = await query<OrgNetwork>(orgNetworkDoc, { id }, ctx.signal)
  } catch (err) {
    if (ctx.signal.aborted) return
    replace(box, h('h2', { id: 'partners-heading' }, 'In the partner network'), errorBox(`The partner network could not be loaded: ${(err as Error).message}`))
    return
  }
  const o = data.organisation
  const m = o?.metrics
  if (!o || !m) {
    replace(box, h('h2', { id: 'partners-heading' }, 'In the partner network'),
      emptyBox('It has no partner in the published network (a unit counts as the organisation it is part of).'))
    return
  }
  const fact = (k: string, v: string) => [h('dt', {}, k), h('dd', {}, v)]
  replace(box,
    h('h2', { id: 'partners-heading' }, 'In the partner network'),
    h('dl', { className: 'facts metrics' },
      fact('Rank (PageRank)', `${m.rank}`), fact('Partners', `${m.degree} (${m.weightedDegree} shared engagements)`),
      fact('PageRank', m.pageRank.toFixed(4)), fact('Betweenness', m.betweenness.toFixed(4)),
      fact('Closeness', m.closeness.toFixed(4)), fact('Community', `${m.community}`)),
    h('h3', {}, 'Suggested partners'),
    o.suggestedPartners.length
      ? h('ol', { className: 'suggestions' }, o.suggestedPartners.map(s => h('li', {},
        orgLink(s.organisation),
        h('span', { className: 'detail' }, ` score ${s.score.toFixed(2)}`),
        h('p', { className: 'why' },
          s.commonPartners.length ? ['Both work with ', ...s.commonPartners.slice(0, 3).flatMap((p, i) => [i ? ', ' : '', orgLink(p)]), s.commonPartners.length > 3 ? ` and ${s.commonPartners.length - 3} more` : '', '. '] : '',
          s.sharedTopics.length ? `Shared topics: ${s.sharedTopics.map(t => t.name).join(', ')}.` : ''),
      )))
      : emptyBox('No organisation two steps away that it has not worked with.'),
  )
}
