// The analyst explorer at /explore: a small client-side router over views whose whole state is
// in the address (path and query string), so every view can be bookmarked and shared.
//
//   /explore?q=text                         search results (the search box drives it)
//   /explore/<kind>/<id>?depth=&kinds=&expand=   an entity page and its network
//   /explore/connect?from=<id>&to=<id>      how two entities are connected
//   /explore/co-organisations?from=&to=&kind=&topic=&partner=&after=   the co-organisation table

import '../styles/base.css'
import '../styles/explore.css'
import { h, replace, errorBox, announce } from '../lib/dom'
import { mountAccess } from '../lib/key'
import { kindOfPath } from '../lib/kinds'
import { ApiError } from '../lib/api'
import { searchView, mountSearchBox } from './search'
import { entityView } from './entity'
import { connectView } from './connect'
import { coOrganisationsView } from './coorganisations'
import { navigate, refresh, setRenderer } from './router'

/** What every view receives. */
export interface Context {
  main: HTMLElement
  url: URL
  signal: AbortSignal
  /** Replaces the query string of the current address without a new history entry. */
  setParams(params: Record<string, string | undefined>, push?: boolean): void
}

const main = document.getElementById('main') as HTMLElement
let running: AbortController | null = null

function section(path: string): string {
  const first = path.replace(/^\/explore\/?/, '').split('/')[0]
  if (first === 'connect' || first === 'co-organisations') return first
  return first ? 'entity' : 'search'
}

/** Renders the view of the current address; focus moves to its heading on navigation. */
async function render(moveFocus: boolean): Promise<void> {
  running?.abort()
  const ctrl = new AbortController()
  running = ctrl
  const url = new URL(location.href)
  const parts = url.pathname.replace(/^\/explore\/?/, '').split('/').filter(Boolean).map(p => decodeURIComponent(p))
  const current = section(url.pathname)
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a[data-section]')) {
    if (a.dataset.section === current) a.setAttribute('aria-current', 'page')
    else a.removeAttribute('aria-current')
  }
  const ctx: Context = {
    main, url, signal: ctrl.signal,
    setParams(params, push = false) {
      const next = new URL(location.href)
      for (const [k, v] of Object.entries(params)) {
        if (v === undefined || v === '') next.searchParams.delete(k)
        else next.searchParams.set(k, v)
      }
      if (next.href !== location.href) history[push ? 'pushState' : 'replaceState'](null, '', next)
    },
  }
  try {
    if (parts.length === 0) await searchView(ctx)
    else if (parts[0] === 'connect') await connectView(ctx)
    else if (parts[0] === 'co-organisations') await coOrganisationsView(ctx)
    else if (parts.length === 2 && kindOfPath(parts[0])) await entityView(ctx, kindOfPath(parts[0])!, parts[1])
    else notFound(url)
  } catch (err) {
    if (ctrl.signal.aborted || (err as Error).name === 'AbortError') return
    const e = err as Error
    document.title = 'Error · partnergraph'
    replace(main, h('h1', { tabindex: '-1' }, 'Something went wrong'),
      errorBox(e.message, e instanceof ApiError && e.requestId ? `Request id ${e.requestId}` : undefined),
      h('p', {}, h('button', { type: 'button', onclick: (() => void render(true)) as EventListener }, 'Try again')))
  }
  if (ctrl.signal.aborted) return
  if (moveFocus) {
    const heading = main.querySelector<HTMLElement>('h1')
    heading?.setAttribute('tabindex', '-1')
    heading?.focus({ preventScroll: false })
    if (heading) announce(document.title.replace(' · partnergraph', ''))
  }
}

function notFound(url: URL): void {
  document.title = 'Not found · partnergraph'
  replace(main, h('h1', {}, 'Page not found'),
    h('p', {}, `Nothing lives at ${url.pathname}. `, h('a', { href: '/explore' }, 'Search the explorer'), ' instead.'))
}

document.addEventListener('click', e => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
  const a = (e.target as Element).closest?.('a')
  if (!a || a.target || a.hasAttribute('download') || a.origin !== location.origin) return
  if (a.pathname !== '/explore' && !a.pathname.startsWith('/explore/')) return
  e.preventDefault()
  if (a.href === location.href) return
  navigate(a.pathname + a.search + a.hash)
})

window.addEventListener('popstate', () => void render(true))
document.addEventListener('partnergraph:partial', e => announce(`Some data could not be loaded: ${(e as CustomEvent).detail}`))

mountAccess(document.getElementById('access') as HTMLElement, refresh)
mountSearchBox(document.getElementById('search-form') as HTMLFormElement, (q, push) => {
  const href = q ? `/explore?q=${encodeURIComponent(q)}` : '/explore'
  const onSearch = location.pathname === '/explore' || location.pathname === '/explore/'
  navigate(href, { replace: onSearch && !push, focus: false })
})
setRenderer(render)
void render(false)
