// Moves a finished build (.build/) into dist/ with the shortest possible gap: new files are
// copied in first (their names are content hashes, so they do not clash), then files the new
// build lacks are removed. `go build` embeds dist/ and may run at any moment in this working
// tree; emptying dist/ first, as Vite does, would break it for the length of a build.
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

const from = '.build'
const to = 'dist'
if (!existsSync(join(from, 'explore.html'))) {
  console.error('swap-dist: .build/ holds no finished build')
  process.exit(1)
}
const files = dir => readdirSync(dir, { recursive: true }).map(String).filter(f => statSync(join(dir, f)).isFile())
const fresh = new Set(files(from))
mkdirSync(to, { recursive: true })
// Assets first, pages last: a page never names an asset that is not there yet.
const order = [...fresh].sort((a, b) => Number(a.endsWith('.html')) - Number(b.endsWith('.html')))
for (const f of order) cpSync(join(from, f), join(to, f))
for (const f of files(to)) if (!fresh.has(f)) rmSync(join(to, f))
rmSync(from, { recursive: true, force: true })
console.log(`swap-dist: ${fresh.size} files in ${relative('.', to)}/`)
