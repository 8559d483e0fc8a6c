// Live updates: the change feed over Server-Sent Events (graphql-sse, distinct connections).
// A dropped connection is opened again after a pause and resumes from the last change seen, so
// nothing is missed or repeated.

import { createClient, type Client } from 'graphql-sse'
import changesDoc from '../../queries/changes.graphql'
import { apiKey } from './key'

/** A change the caller may see, as the feed delivers it. */
export interface Change {
  cursor: string
  operation: string
  kind: string
  id: string
}

let client: Client | null = null

function sse(): Client {
  client ??= createClient({
    url: '/graphql',
    headers: (): Record<string, string> => {
      const key = apiKey()
      return key ? { Authorization: `Bearer ${key}` } : {}
    },
    retryAttempts: 0, // watchChanges resumes itself, from its last cursor
  })
  return client
}

/** Calls onChange for each change (about ids only, when given) until the returned stop. */
export function watchChanges(onChange: (c: Change) => void, ids?: string[]): () => void {
  let cursor: string | undefined
  let stopped = false
  let unsubscribe = (): void => {}
  const open = (): void => {
    if (stopped) return
    unsubscribe = sse().subscribe<{ changes: Change }>(
      { query: changesDoc.query, operationName: changesDoc.name, variables: { after: cursor, ids } },
      {
        next: ({ data }) => {
          if (!data?.changes) return
          cursor = data.changes.cursor
          onChange(data.changes)
        },
        error: () => setTimeout(open, 2000),
        complete: () => setTimeout(open, 2000),
      },
    )
  }
  open()
  return () => {
    stopped = true
    unsubscribe()
  }
}
