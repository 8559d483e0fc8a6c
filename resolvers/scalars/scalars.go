// Package scalars holds the GraphQL custom scalars. It is separate from package resolvers
// because the generated executor (package graph) imports it, and resolvers import graph.
package scalars

import (
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	pg "github.com/unicri/partnergraph"
)

// MarshalDate writes a Date as a JSON string.
func MarshalDate(d pg.Date) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(string(d)))
	})
}

// UnmarshalDate reads a Date, refusing anything that is not YYYY, YYYY-MM or YYYY-MM-DD.
func UnmarshalDate(v any) (pg.Date, error) {
	s, ok := v.(string)
	if !ok {
		return "", pg.Errorf(pg.EINVALID, "a Date must be a string such as \"2018-07-11\"")
	}
	return pg.ParseDate(s) // EINVALID, shown as BAD_USER_INPUT
}
