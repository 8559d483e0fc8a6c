// The one way the web app talks to the server: the public GraphQL API at /graphql.
//
// Every request first sends the document's SHA-256 alone (automatic persisted queries) as a GET,
// which the browser and shared caches may keep; when the server does not know the hash
// (PERSISTED_QUERY_NOT_FOUND) it is sent again by POST with the document, and the server learns
// it. The documents are the .graphql files of web/queries, which the server also trusts, so the
// app works where anonymous callers may run trusted documents only (APP_ENV=production).

import { apiKey } from './key'

/** A GraphQL document as imported from a .graphql file. */
export interface Document {
  name: string
  hash: string
  query: string
}

interface GraphQLError {
  message: string
  extensions?: { code?: string; [k: string]: unknown }
}

interface Response<T> {
  data?: T | null
  errors?: GraphQLError[]
}

/** An error to show the reader: message is written for people, code for programs. */
export class ApiError extends Error {
  code: string
  requestId: string
  constructor(message: string, code: string, requestId = '') {
    super(message)
    this.name = 'ApiError'
    this.code = code
    this.requestId = requestId
  }
}

const endpoint = '/graphql'
// application/json: request errors (an unknown persisted hash) then answer 200 with errors in the
// body, which the app reads, instead of a 400 that the browser reports as a failed load.
const accept = 'application/json'
// Longer URLs go by POST: some proxies refuse long request lines.
const maxGetURL = 2000

/** Runs a query and returns its data; errors become an ApiError with a readable message. */
export async function query<T>(doc: Document, variables: Record<string, unknown> = {}, signal?: AbortSignal): Promise<T> {
  const vars = prune(variables)
  const persisted = { persistedQuery: { version: 1, sha256Hash: doc.hash } }
  let res = await send<T>({ operationName: doc.name, variables: vars, extensions: persisted }, signal)
  if (res.body.errors?.some(e => e.extensions?.code === 'PERSISTED_QUERY_NOT_FOUND' || e.message === 'PersistedQueryNotFound')) {
    res = await send<T>({ query: doc.query, operationName: doc.name, variables: vars, extensions: persisted }, signal, true)
  }
  const { body, status, requestId } = res
  if (body.errors?.length && body.data == null) {
    const e = body.errors[0]
    throw new ApiError(describe(e.extensions?.code ?? '', e.message, status), e.extensions?.code ?? 'ERROR', requestId)
  }
  if (body.data == null) {
    throw new ApiError(describe('', '', status), 'ERROR', requestId)
  }
  if (body.errors?.length) {
    // Partial answers still render; say what is missing.
    document.dispatchEvent(new CustomEvent('partnergraph:partial', { detail: body.errors.map(e => e.message).join('; ') }))
  }
  return body.data
}

interface Sent<T> {
  body: Response<T>
  status: number
  requestId: string
}

async function send<T>(params: Record<string, unknown>, signal?: AbortSignal, forcePost = false): Promise<Sent<T>> {
  const headers: Record<string, string> = { Accept: accept }
  const key = apiKey()
  if (key) headers.Authorization = `Bearer ${key}`
  let url = endpoint
  let init: RequestInit = { method: 'GET', headers, signal, credentials: 'omit' }
  if (!forcePost) {
    const qs = new URLSearchParams()
    for (const [k, v] of Object.entries(params)) qs.set(k, typeof v === 'string' ? v : JSON.stringify(v))
    url = `${endpoint}?${qs}`
  }
  if (forcePost || url.length > maxGetURL) {
    url = endpoint
    headers['Content-Type'] = 'application/json'
    init = { method: 'POST', headers, signal, credentials: 'omit', body: JSON.stringify(params) }
  }
  let resp: globalThis.Response
  try {
    resp = await fetch(url, init)
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err
    throw new ApiError('The server could not be reached. Check the connection and try again.', 'NETWORK')
  }
  const requestId = resp.headers.get('X-Request-Id') ?? ''
  let body: Response<T> = {}
  try {
    body = await resp.json()
  } catch {
    throw new ApiError(describe('', '', resp.status), 'HTTP_' + resp.status, requestId)
  }
  if (resp.status === 401) {
    throw new ApiError('The analyst key was refused. Check it, or clear it to browse published content.', 'UNAUTHENTICATED', requestId)
  }
  return { body, status: resp.status, requestId }
}

// Readable messages for the codes the server documents; otherwise the server's own message.
function describe(code: string, message: string, status: number): string {
  switch (code) {
    case 'RATE_LIMITED':
      return 'Too many requests in a short time. Wait a few seconds and try again.'
    case 'SERVICE_UNAVAILABLE':
      return 'The database is not available right now. Try again shortly.'
    case 'PERSISTED_QUERY_NOT_ALLOWED':
      return 'This server does not accept the explorer’s queries (they are not among its trusted documents).'
    case 'UNAUTHENTICATED':
    case 'FORBIDDEN':
      return 'This needs an analyst key: ' + message
    case 'QUERY_TOO_COMPLEX':
    case 'QUERY_TOO_DEEP':
    case 'TOO_MANY_FIELDS':
      return 'The server refused the request as too large: ' + message
  }
  if (message) return message
  if (status >= 500) return `The server failed to answer (HTTP ${status}). Try again shortly.`
  return `Unexpected answer from the server (HTTP ${status}).`
}

// Drops empty filters so that "no filter" and "empty filter" are one cache entry.
function prune(v: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined || x === null || x === '') continue
    if (Array.isArray(x) && x.length === 0) continue
    if (typeof x === 'object' && !Array.isArray(x)) {
      const inner = prune(x as Record<string, unknown>)
      if (Object.keys(inner).length) out[k] = inner
      continue
    }
    out[k] = x
  }
  return out
}
