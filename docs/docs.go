// Package docs holds the example GraphQL documents (docs/queries/*.graphql, with variables in
// a .json file beside each) that GraphiQL opens with and the end-to-end tests run.
package docs

import (
	"embed"
	"io/fs"
	"sort"
	"strings"
)

//go:embed queries
var queries embed.FS

// Example is one example document.
type Example struct {
	Name      string // file name without extension
	Query     string
	Variables string // JSON, or ""
}

// Examples returns the example documents, by file name.
func Examples() []Example {
	names, _ := fs.Glob(queries, "queries/*.graphql")
	sort.Strings(names)
	var out []Example
	for _, n := range names {
		q, _ := queries.ReadFile(n)
		v, _ := queries.ReadFile(strings.TrimSuffix(n, ".graphql") + ".json")
		out = append(out, Example{Name: strings.TrimSuffix(strings.TrimPrefix(n, "queries/"), ".graphql"),
			Query: string(q), Variables: strings.TrimSpace(string(v))})
	}
	return out
}
