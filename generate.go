package partnergraph

// The GraphQL executor in graph/ and the resolver stubs in resolvers/ are generated from
// schema.graphqls by gqlgen (a tool dependency in go.mod). CI fails if this leaves a diff.
//go:generate go tool gqlgen generate --config gqlgen.yml
