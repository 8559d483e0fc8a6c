// Choices for filters (topics, partners), fetched once per page.

import optionsDoc from '../../queries/filter-options.graphql'
import { query } from './api'

export interface Options {
  topics: { id: string; name: string }[]
  partners: { id: string; name: string; shortName: string | null }[]
}

let cached: Promise<Options> | null = null

/** The topics by name and the partners with the most events. */
export function filterOptions(): Promise<Options> {
  cached ??= query<{ topics: { nodes: Options['topics'] }; organisations: { nodes: Options['partners'] } }>(optionsDoc)
    .then(d => ({ topics: d.topics.nodes, partners: [...d.organisations.nodes].sort((a, b) => a.name.localeCompare(b.name)) }))
    .catch(err => {
      cached = null
      throw err
    })
  return cached
}

/** Fills a select with options after its first ("all") option, selecting value. */
export function fillSelect(select: HTMLSelectElement, items: { value: string; label: string }[], value: string): void {
  const first = select.options[0]
  select.replaceChildren(first)
  for (const it of items) {
    const o = document.createElement('option')
    o.value = it.value
    o.textContent = it.label
    select.appendChild(o)
  }
  if (value && !items.some(i => i.value === value)) {
    // Keep a value from the address even when it is not among the choices.
    const o = document.createElement('option')
    o.value = value
    o.textContent = value
    select.appendChild(o)
  }
  select.value = value
}

/** Partner names as shown in choices: "INTERPOL — International Criminal Police Organization". */
export function partnerLabel(p: { name: string; shortName: string | null }): string {
  return p.shortName && p.shortName !== p.name ? `${p.shortName} — ${p.name}` : p.name
}
