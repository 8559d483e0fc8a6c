// .graphql files import as a Document (see graphqlDocuments in vite.config.ts).
declare module '*.graphql' {
  const doc: import('./lib/api').Document
  export default doc
}
