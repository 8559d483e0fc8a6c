// Sizes of the built chunks, raw and gzipped (-9), largest first: `npm run size`.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const assets = join(dirname(fileURLToPath(import.meta.url)), '../dist/assets')

/** Lines describing every .js and .css file of dist/assets. */
export function bundleReport() {
  const rows = readdirSync(assets).filter(f => /\.(js|css)$/.test(f)).map(f => {
    const b = readFileSync(join(assets, f))
    return { f, raw: b.length, gz: gzipSync(b, { level: 9 }).length }
  }).sort((a, b) => b.raw - a.raw)
  const kb = n => (n / 1024).toFixed(1).padStart(7) + ' KiB'
  return rows.map(r => `  ${r.f.padEnd(34)} ${kb(r.raw)} → gzip ${kb(r.gz)}`)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log('web/dist/assets (raw → gzip -9):')
  for (const line of bundleReport()) console.log(line)
}
