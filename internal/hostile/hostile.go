// Package hostile builds the hostile GraphQL documents the API must refuse cheaply: one
// generator per class of attack, each request different (the variant number changes the
// document, so no cache answers it). The server's tests and the benchmark's attack mode
// (bench -attack) send the same documents.
package hostile

import (
	"fmt"
	"strings"
)

// Every class stays under the parser's default limits (15,000 tokens, nesting 1,000), so the
// server's own measure, not the parser, is what refuses it.

// Class is one kind of hostile document.
type Class struct {
	Name string
	// Code is the extensions.code a caller who may send any document gets with the default
	// limits; anonymous callers where only trusted documents run get PERSISTED_QUERY_NOT_ALLOWED.
	Code string
	// Build returns the document of variant i.
	Build func(i int) string
}

// Classes lists every class, in the order reports show them.
var Classes = []Class{
	{"repeated fields", "TOO_MANY_FIELDS", func(i int) string {
		// Same-named fields are what gqlgen's overlap check is quadratic in.
		return "{" + strings.Repeat(" __typename", 14000+i%500) + " }"
	}},
	{"aliases", "TOO_MANY_FIELDS", func(i int) string {
		var b strings.Builder
		b.WriteString("{")
		for k := range 3000 + i%500 {
			fmt.Fprintf(&b, " a%d: __typename", k)
		}
		return b.String() + " }"
	}},
	{"fragment bomb", "TOO_MANY_FIELDS", func(i int) string {
		// Each fragment spreads the one before twice: 2^30 fields from 1 KB.
		var b strings.Builder
		fmt.Fprintf(&b, "query { ...F30 } fragment F0 on Query { v%d: __typename }", i)
		for k := 1; k <= 30; k++ {
			fmt.Fprintf(&b, " fragment F%d on Query { ...F%d ...F%d }", k, k-1, k-1)
		}
		return b.String()
	}},
	{"nested inline fragments", "TOO_MANY_FIELDS", func(i int) string {
		n := 600 + i%300
		return "{" + strings.Repeat(" ... on Query { __typename", n) + strings.Repeat(" }", n) + " }"
	}},
	{"deep selection", "QUERY_TOO_DEEP", func(i int) string {
		n := 300 + i%100
		return `{ organisation(slug: "unicri") {` + strings.Repeat(" parent {", n) + " id" + strings.Repeat(" }", n+1) + " }"
	}},
	{"directives", "QUERY_TOO_COMPLEX", func(i int) string {
		return "{ __typename" + strings.Repeat(" @skip(if: false)", 1500+i%300) + " }"
	}},
	{"variable definitions", "QUERY_TOO_COMPLEX", func(i int) string {
		var b strings.Builder
		b.WriteString("query(")
		for k := range 2000 + i%500 {
			fmt.Fprintf(&b, "$v%d: Int ", k)
		}
		return b.String() + ") { __typename }"
	}},
	{"operations", "QUERY_TOO_COMPLEX", func(i int) string {
		var b strings.Builder
		for k := range 1500 + i%500 {
			fmt.Fprintf(&b, "query Q%d { __typename } ", k)
		}
		return b.String()
	}},
	{"unused fragments", "QUERY_TOO_COMPLEX", func(i int) string {
		var b strings.Builder
		b.WriteString("{ __typename }")
		for k := range 1500 + i%300 {
			fmt.Fprintf(&b, " fragment U%d on Query { __typename }", k)
		}
		return b.String()
	}},
	{"long names", "QUERY_TOO_COMPLEX", func(i int) string {
		return "{ " + strings.Repeat("x", 200000+i) + " }"
	}},
	{"deep input value", "QUERY_TOO_DEEP", func(i int) string {
		n := 600 + i%300
		return "{ nodes(ids: " + strings.Repeat("[", n) + `"x"` + strings.Repeat("]", n) + ") { id } }"
	}},
	{"wide input value", "QUERY_TOO_COMPLEX", func(i int) string {
		return "{ nodes(ids: [" + strings.Repeat(`"x" `, 5000+i%500) + "]) { id } }"
	}},
	{"long text filter", "BAD_USER_INPUT", func(i int) string {
		// Valid and cheap to validate: the store refuses the text before Lucene sees it.
		return fmt.Sprintf(`{ events(filter: {text: "%s"}) { totalCount } }`, strings.Repeat(fmt.Sprintf("word%d ", i), 1000))
	}},
}
