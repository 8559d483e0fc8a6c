// Navigation inside the explorer without page loads; main.ts supplies the renderer.

let renderer: (moveFocus: boolean) => Promise<void> = async () => {}

/** Sets the function that renders the current address. */
export function setRenderer(fn: (moveFocus: boolean) => Promise<void>): void {
  renderer = fn
}

/** Goes to an explorer address; focus moves to the new view's heading unless focus is false. */
export function navigate(href: string, opts: { replace?: boolean; focus?: boolean } = {}): void {
  history[opts.replace ? 'replaceState' : 'pushState'](null, '', href)
  void renderer(opts.focus ?? true)
}

/** Renders the current address again (after the analyst key changed, for instance). */
export function refresh(): void {
  void renderer(false)
}
