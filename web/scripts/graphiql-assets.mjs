// Copies GraphiQL's browser build (and the React it runs on) from node_modules into the build,
// into assets/ with their versions in the file names, so the playground at / loads
// from this server only: it works offline and on networks that block CDNs. They are the very
// files the CDN served (the server's page keeps their integrity hashes).
import { cpSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const version = pkg => JSON.parse(readFileSync(join('node_modules', pkg, 'package.json'), 'utf8')).version
const files = [
  ['react', 'umd/react.production.min.js', 'react'],
  ['react-dom', 'umd/react-dom.production.min.js', 'react-dom'],
  ['graphiql', 'graphiql.min.js', 'graphiql'],
  ['graphiql', 'graphiql.min.css', 'graphiql'],
]
const to = join('.build', 'assets')
mkdirSync(to, { recursive: true })
for (const [pkg, file, name] of files) {
  const ext = file.endsWith('.css') ? '.min.css' : '.min.js'
  cpSync(join('node_modules', pkg, file), join(to, `${name}-${version(pkg)}${ext}`))
}
console.log(`graphiql-assets: ${files.length} files in ${to}/`)
