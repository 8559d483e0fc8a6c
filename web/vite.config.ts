// Build of the explorer (/explore) and the dashboard (/dashboard): two HTML entry points, hashed
// assets under assets/, cytoscape and ECharts in chunks of their own that only the page needing
// them loads. `.graphql` files import as {name, hash, query}: the hash is the SHA-256 of the
// file's bytes, exactly what the server computes for its trusted documents, so requests can send
// the hash alone (automatic persisted queries).
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { defineConfig, type Plugin } from 'vite'

function graphqlDocuments(): Plugin {
  return {
    name: 'partnergraph-graphql-documents',
    load(id) {
      if (!id.endsWith('.graphql')) return null
      const bytes = readFileSync(id)
      const query = bytes.toString('utf8')
      const name = /^\s*(?:query|mutation|subscription)\s+(\w+)/m.exec(query)?.[1]
      if (!name) this.error(`${id}: a web document needs one named operation`)
      const hash = createHash('sha256').update(bytes).digest('hex')
      return `export default ${JSON.stringify({ name, hash, query })}`
    },
  }
}

// In `npm run dev`, serve the pages at the server's paths and send /graphql to a running server.
function pagePaths(): Plugin {
  return {
    name: 'partnergraph-page-paths',
    configureServer(server) {
      server.middlewares.use((req, _res, next) => {
        const path = (req.url ?? '').split('?')[0]
        if (path === '/explore' || path.startsWith('/explore/')) req.url = '/explore.html'
        else if (path === '/dashboard' || path === '/dashboard/') req.url = '/dashboard.html'
        next()
      })
    },
  }
}

export default defineConfig({
  plugins: [graphqlDocuments(), pagePaths()],
  server: {
    proxy: { '/graphql': process.env.PARTNERGRAPH_API ?? 'http://127.0.0.1:8080' },
  },
  build: {
    // Built into .build/, then moved into dist/ by scripts/swap-dist.mjs (see there why).
    outDir: '.build',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    // Warn above ~600 kB: the ECharts chunk is about 500 kB before gzip.
    chunkSizeWarningLimit: 600,
    // Every browser the app supports knows modulepreload.
    modulePreload: { polyfill: false },
    rolldownOptions: {
      input: { explore: 'explore.html', dashboard: 'dashboard.html' },
      output: {
        // The code both pages share (API client, DOM helpers, base styles) as one named chunk.
        codeSplitting: { groups: [{ name: 'common', test: /\/src\/(lib\/|styles\/base\.css)|preload-helper/ }] },
      },
    },
  },
})
