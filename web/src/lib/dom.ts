// Small DOM helpers: elements are built with h() and text nodes, never from HTML strings.

type Child = Node | string | number | null | undefined | false | Child[]
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>

/** Creates an element: attributes (on* keys become listeners, false/null are left out) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v)
    else if (k === 'className') el.className = String(v)
    else el.setAttribute(k, v === true ? '' : String(v))
  }
  append(el, children)
  return el
}

/** Appends children, flattening arrays and skipping empty values. */
export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue
    if (Array.isArray(c)) append(el, c)
    else el.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)))
  }
}

/** Replaces the element's content. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren()
  append(el, children)
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' }

/** Decodes the character references an HTML escaper produces (&amp; &lt; &#39; &#x27; ...). */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, ref: string) => {
    if (ref[0] === '#') {
      const n = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10)
      return Number.isFinite(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : m
    }
    return entities[ref.toLowerCase()] ?? m
  })
}

/**
 * Renders a search snippet: the server sends HTML-escaped text with matches in <mark></mark>.
 * Only the mark tags become elements; everything else is decoded to plain text, so a snippet
 * can never inject markup even if it held some.
 */
export function snippet(html: string): DocumentFragment {
  const frag = document.createDocumentFragment()
  const parts = html.split(/(<mark>|<\/mark>)/)
  let marked = false
  for (const part of parts) {
    if (part === '<mark>') {
      marked = true
      continue
    }
    if (part === '</mark>') {
      marked = false
      continue
    }
    if (!part) continue
    const text = document.createTextNode(decodeEntities(part))
    frag.appendChild(marked ? h('mark', {}, text) : text)
  }
  return frag
}

/** Says something to screen-reader users without moving focus. */
export function announce(message: string): void {
  const el = document.getElementById('announcer')
  if (!el) return
  el.textContent = ''
  // A fresh text node after a tick is read even when the message repeats.
  setTimeout(() => {
    el.textContent = message
  }, 30)
}

/** An error box with a role that screen readers announce. */
export function errorBox(message: string, detail?: string): HTMLElement {
  return h('div', { className: 'error', role: 'alert' }, h('p', {}, message), detail ? h('p', { className: 'detail' }, detail) : null)
}

/** A message for an empty result. */
export function emptyBox(message: string): HTMLElement {
  return h('p', { className: 'empty' }, message)
}

/** Debounces a function. */
export function debounce<A extends unknown[]>(fn: (...a: A) => void, ms: number): (...a: A) => void {
  let t: ReturnType<typeof setTimeout> | undefined
  return (...a: A) => {
    clearTimeout(t)
    t = setTimeout(() => fn(...a), ms)
  }
}

/** Records when the page first showed meaningful content (read by the browser tests). */
export function markFirstContent(): void {
  if (performance.getEntriesByName('pg:first-content').length === 0) performance.mark('pg:first-content')
}

/** Downloads a blob under a file name. */
export function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob)
  const a = h('a', { href: url, download: name, hidden: true })
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10000)
}
