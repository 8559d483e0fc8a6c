// An entity picker: a search-as-you-type combobox (WAI-ARIA combobox with a listbox popup).
// Arrow keys move through the suggestions, Enter picks, Escape closes.

import { h, replace, debounce } from '../lib/dom'
import { kindInfo, type NodeKind } from '../lib/kinds'
import { search, labelOf, detailOf } from './search'

export interface Picked {
  id: string
  label: string
  kind: NodeKind
}

export interface Picker {
  el: HTMLElement
  input: HTMLInputElement
  value(): Picked | null
  set(p: Picked | null): void
}

let seq = 0

/** Creates a picker labelled label; onChange runs when an entity is picked or cleared. */
export function picker(label: string, name: string, onChange: (p: Picked | null) => void): Picker {
  const id = `picker-${name}-${++seq}`
  let picked: Picked | null = null
  let options: Picked[] = []
  let active = -1
  let ctrl: AbortController | null = null
  const input = h('input', {
    id, name, type: 'text', role: 'combobox', autocomplete: 'off', spellcheck: 'false',
    'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': `${id}-list`, 'aria-describedby': `${id}-chosen`,
  })
  const list = h('ul', { id: `${id}-list`, role: 'listbox', className: 'picker-list', hidden: true, 'aria-label': `${label}: suggestions` })
  const chosen = h('p', { id: `${id}-chosen`, className: 'picker-chosen' })

  const close = () => {
    list.hidden = true
    input.setAttribute('aria-expanded', 'false')
    input.removeAttribute('aria-activedescendant')
    active = -1
  }
  const showChosen = () => {
    chosen.textContent = picked ? `Chosen: ${picked.label} (${kindInfo[picked.kind].label})` : 'Nothing chosen yet: type a name.'
  }
  const choose = (p: Picked | null) => {
    picked = p
    if (p) input.value = p.label
    showChosen()
    close()
    onChange(p)
  }
  const highlight = (i: number) => {
    active = i
    for (const [j, li] of [...list.children].entries()) li.setAttribute('aria-selected', String(j === i))
    if (i >= 0) {
      input.setAttribute('aria-activedescendant', `${id}-opt-${i}`)
      list.children[i]?.scrollIntoView({ block: 'nearest' })
    } else input.removeAttribute('aria-activedescendant')
  }
  const suggest = debounce(async () => {
    const text = input.value.trim()
    ctrl?.abort()
    if (text.length < 2) {
      close()
      return
    }
    ctrl = new AbortController()
    try {
      const { hits } = await search(text, 8, ctrl.signal)
      options = hits.map(x => ({ id: x.node.id, label: labelOf(x.node), kind: x.kind }))
      replace(list, hits.length
        ? hits.map((x, i) => h('li', {
            id: `${id}-opt-${i}`, role: 'option', 'aria-selected': 'false', className: 'picker-option',
            onmousedown: ((e: Event) => e.preventDefault()) as EventListener,
            onclick: (() => choose(options[i])) as EventListener,
          }, h('span', { className: `swatch kind-${x.kind}`, 'aria-hidden': 'true' }), labelOf(x.node),
            h('span', { className: 'detail' }, [kindInfo[x.kind].label, detailOf(x.node)].filter(Boolean).join(' · '))))
        : h('li', { role: 'option', 'aria-disabled': 'true', 'aria-selected': 'false', className: 'picker-empty' }, `Nothing matches “${text}”`))
      if (!hits.length) options = []
      list.hidden = false
      input.setAttribute('aria-expanded', 'true')
      highlight(-1)
    } catch (err) {
      if ((err as Error).name === 'AbortError') return
      replace(list, h('li', { role: 'option', 'aria-disabled': 'true', 'aria-selected': 'false', className: 'picker-empty' }, (err as Error).message))
      list.hidden = false
    }
  }, 200)

  input.addEventListener('input', () => {
    if (picked && input.value !== picked.label) {
      picked = null
      showChosen()
      onChange(null)
    }
    suggest()
  })
  input.addEventListener('keydown', e => {
    const open = !list.hidden && options.length > 0
    if (e.key === 'ArrowDown' && open) {
      e.preventDefault()
      highlight(Math.min(active + 1, options.length - 1))
    } else if (e.key === 'ArrowUp' && open) {
      e.preventDefault()
      highlight(Math.max(active - 1, 0))
    } else if (e.key === 'Enter' && open) {
      e.preventDefault()
      choose(options[Math.max(active, 0)])
    } else if (e.key === 'Escape' && !list.hidden) {
      e.preventDefault()
      close()
    }
  })
  input.addEventListener('blur', () => setTimeout(close, 150))
  showChosen()

  const el = h('div', { className: 'picker' }, h('label', { for: id }, label), h('div', { className: 'picker-box' }, input, list), chosen)
  return {
    el, input,
    value: () => picked,
    set(p) {
      picked = p
      input.value = p ? p.label : ''
      showChosen()
    },
  }
}
