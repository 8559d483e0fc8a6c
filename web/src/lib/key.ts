// The analyst key: pasted into a field, kept in sessionStorage (gone when the tab closes), sent
// as a bearer token so analysts see drafts. Without it the app is an anonymous reader.

import { h, replace, announce } from './dom'

const storageKey = 'partnergraph.apiKey'

/** The key of this tab, or "". */
export function apiKey(): string {
  try {
    return sessionStorage.getItem(storageKey) ?? ''
  } catch {
    return ''
  }
}

function setKey(k: string): void {
  try {
    if (k) sessionStorage.setItem(storageKey, k)
    else sessionStorage.removeItem(storageKey)
  } catch {
    // Storage refused (private mode): the key lasts for this page only.
  }
}

/** Renders the access control into el; onChange runs after the key is set or cleared. */
export function mountAccess(el: HTMLElement, onChange: () => void): void {
  const render = (open = false) => {
    const has = apiKey() !== ''
    const input = h('input', {
      id: 'api-key', name: 'api-key', type: 'password', autocomplete: 'off', spellcheck: 'false',
      'aria-describedby': 'api-key-hint',
    })
    const form = h('form', {
      className: 'access-form',
      onsubmit: ((e: Event) => {
        e.preventDefault()
        const v = input.value.trim()
        if (!v) return
        setKey(v)
        announce('Analyst key in use: drafts are shown.')
        render(true)
        onChange()
      }) as EventListener,
    },
      h('label', { for: 'api-key' }, 'Analyst key'),
      input,
      h('button', { type: 'submit' }, 'Use key'),
      h('p', { id: 'api-key-hint', className: 'hint' }, 'Kept in this tab only; lets analysts see drafts.'),
    )
    const clear = h('button', {
      type: 'button',
      onclick: (() => {
        setKey('')
        announce('Analyst key cleared: published content only.')
        render(true)
        onChange()
      }) as EventListener,
    }, 'Clear key')
    replace(el, h('details', { className: 'access-details', open },
      h('summary', {}, has ? 'Analyst key in use' : 'Analyst access'),
      has ? h('div', { className: 'access-form' }, h('p', {}, 'An analyst key is in use in this tab: drafts are shown.'), clear) : form,
    ))
    if (open) (el.querySelector('input, button:not([type="submit"])') as HTMLElement | null)?.focus()
  }
  render()
}
