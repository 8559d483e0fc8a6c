package server_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/unicri/partnergraph/docs"
	"github.com/unicri/partnergraph/internal/neo4jtest"
	"github.com/unicri/partnergraph/server"
	"github.com/unicri/partnergraph/web"
)

// analyticsFields are computed in Go from a whole partner network (package analytics), not by
// a statement: the compiler leaves them, and their root fields, to the resolvers.
var analyticsFields = map[string]bool{"Organisation.metrics": true, "Organisation.suggestedPartners": true, "Organisation.partners": true}

// TestCompiledAnswersEqualTheResolvers sends the same documents to the API with the compiler
// (one statement per root field) and without it (the resolvers and their batches), over the
// same database with drafts, as an anonymous caller and as an analyst: every answer must be the
// same, byte for byte. The documents are the examples, the web app's documents, and, walked
// from the schema, every field of every entity type with pages forward and backward from the
// cursors the answers give, orders and filters.
func TestCompiledAnswersEqualTheResolvers(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.MustSeedCentre(t, db)
	addOracleDrafts(t, db)
	// It compares answers, not times: on a loaded machine a document may outlast the default
	// deadline, and an answer of SERVICE_BUSY on one side only is no difference of the compiler.
	options := func() server.Options {
		o := testOptions(db)
		o.Limits.Timeout = 2 * time.Minute
		return o
	}
	o := options()
	o.ExposeRoundTrips = true
	compiled := serve(t, o)
	o = options()
	o.Services.Reads = nil
	resolved := serve(t, o)
	// Every parent counts as a hub here: its relation pages read the related kind's index in
	// order instead of expanding, and must answer the same.
	hubs := db.Reader()
	hubs.DenseDegree = 1
	o = options()
	o.ExposeRoundTrips = true
	o.Services.Reads = hubs
	dense := serve(t, o)

	r := post(t, resolved, analystKey, introspection, nil)
	var s struct {
		Schema struct {
			Types []schemaType `json:"types"`
		} `json:"__schema"`
	}
	b, _ := json.Marshal(r.mustData(t))
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	types := map[string]schemaType{}
	for _, ty := range s.Schema.Types {
		types[ty.Name] = ty
	}
	sel := selector{types: types, skip: analyticsFields} // analytics are not compiled: they would fall back

	type doc struct {
		name, query string
		vars        map[string]any
		// one says the document is a single root field the compiler serves: it must have
		// been answered in one statement (a compiled field that failed would fall back to the
		// resolvers, which answer the same).
		one bool
	}
	var corpus []doc
	for _, ex := range docs.Examples() {
		if strings.Contains(ex.Query, "mutation") {
			continue
		}
		var vars map[string]any
		_ = json.Unmarshal([]byte(ex.Variables), &vars)
		corpus = append(corpus, doc{ex.Name, ex.Query, vars, false})
	}
	webVars := map[string]any{"id": "org-unicri", "from": "org-ghent-university", "to": "org-interpol", "text": "ghent",
		"center": "org-unicri", "ids": []string{"org-unicri", "evt-2018-interpol-unicri-global-meeting-singapore", "missing"}}
	for _, d := range web.Documents() {
		corpus = append(corpus, doc{"web " + strings.Fields(d)[1], d, webVars, false})
	}
	// Every connection and single relation of every entity type, reached through a
	// published entity of it, with the pages and orders a client may ask for.
	cursor := regexp.MustCompile(`"endCursor":"([^"]+)"`)
	for typeName, parent := range parents {
		for _, f := range types[typeName].Fields {
			if len(f.Args) == 0 || analyticsFields[typeName+"."+f.Name] {
				continue
			}
			has := map[string]bool{}
			for _, a := range f.Args {
				has[a.Name] = true
			}
			call := func(args string) doc {
				q := "{ " + parent + " { id " + f.Name + "(" + args + ")" + sel.of(f.Type, 0) + " } }"
				return doc{fmt.Sprintf("%s.%s(%s)", typeName, f.Name, args), q, nil, true}
			}
			first := call("first: 2")
			corpus = append(corpus, first)
			if m := cursor.FindStringSubmatch(string(post(t, resolved, analystKey, first.query, nil).raw)); m != nil {
				corpus = append(corpus, call(fmt.Sprintf("first: 2, after: %q", m[1])))
				if has["last"] {
					corpus = append(corpus, call(fmt.Sprintf("last: 1, before: %q", m[1])))
				}
			}
			if has["orderBy"] {
				corpus = append(corpus, call("first: 3, orderBy: {field: NAME}"), call(`first: 5, filter: {topic: "topic-artificial-intelligence", from: "2018"}`))
			}
			if has["roles"] {
				corpus = append(corpus, call("first: 5, roles: [ORGANISER, CO_ORGANISER]"))
			}
		}
	}
	for _, list := range []string{"programmes", "organisations", "events", "publications", "topics", "places", "people"} {
		for _, args := range []string{"last: 2", "first: 2, orderBy: {field: NAME, direction: DESC}", `first: 3, filter: {text: "intelligence"}`} {
			q := "{ " + list + "(" + args + ") { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { __typename id } } nodes { ... on Node { id } } } }"
			corpus = append(corpus, doc{list + "(" + args + ")", q, nil, true})
		}
	}
	corpus = append(corpus,
		doc{"nodes of every kind", `{ nodes(ids: ["org-unicri", "missing", "topic-robotics", "evt-draft-oracle", "place-singapore", "person-irakli-beridze", "prog-ai-for-safer-children", "pub-f3-freedom-from-fear-magazine"]) {
			__typename id ... on Organisation { name parent { name } events(first: 2) { edges { role relation node { title } } } }
			... on Event { title organisers { edges { role node { __typename ... on Organisation { name } ... on Person { name } } } } }
			... on Place { name country { name } events(first: 1) { nodes { title } } } } }`, nil, false},
		doc{"aliases and fragments", `query { a: organisation(slug: "unicri") { ...O } b: organisation(slug: "interpol") { ...O x: units { totalCount } } }
			fragment O on Organisation { name e1: events(first: 1) { nodes { title } } e2: events(first: 2, orderBy: {field: NAME}) { nodes { title } } }`, nil, false},
		doc{"skip and include", `query($yes: Boolean = true) { organisation(slug: "unicri") { name @skip(if: $yes) shortName @include(if: $yes) events(first: 1) @include(if: $yes) { totalCount } } }`, nil, false},
		doc{"co-organised events", `{ coOrganisedEvents(organisations: ["org-unicri", "org-interpol"], first: 2) { totalCount pageInfo { hasNextPage endCursor } nodes { title organisers { totalCount } } } }`, nil, false},
		doc{"co-organised events of a draft", `{ coOrganisedEvents(organisations: ["org-unicri", "org-draft-oracle"]) { totalCount nodes { title } } }`, nil, false},
		doc{"collaborators with their shared work", `{ organisation(slug: "unicri") { collaborators(first: 5) { totalCount pageInfo { hasNextPage endCursor }
			edges { cursor node { score organisation { name events(first: 1) { totalCount } } sharedEvents { title } few: sharedEvents(first: 1) { id }
			sharedPublications(first: 2) { title } sharedProgrammes { title } } } } } }`, nil, true},
		doc{"a bad cursor", `{ organisation(slug: "unicri") { events(first: 2, after: "nope") { totalCount } } }`, nil, false},
		doc{"a filter that does not apply", `{ topics(filter: {country: "SG"}) { totalCount } }`, nil, false},
	)
	t.Logf("%d documents", len(corpus))
	if len(corpus) < 100 {
		t.Fatalf("only %d documents", len(corpus))
	}
	for _, key := range []string{analystKey, ""} {
		for _, d := range corpus {
			t.Run(map[string]string{"": "anonymous", analystKey: "analyst"}[key]+"/"+d.name, func(t *testing.T) {
				t.Parallel() // the statements only read; Neo4j plans two at a time
				want := post(t, resolved, key, d.query, d.vars)
				for name, srv := range map[string]*httptest.Server{"compiled": compiled, "compiled, every parent a hub": dense} {
					got := post(t, srv, key, d.query, d.vars)
					if data(got.raw) != data(want.raw) {
						t.Errorf("%s:\n%.1500s\nresolvers:\n%.1500s\ndocument: %s", name, data(got.raw), data(want.raw), d.query)
					}
					if d.one && !strings.Contains(string(got.raw), `"cypherRoundTrips":1}`) {
						t.Errorf("%s: not one statement: %.300s", name, got.raw)
					}
				}
			})
		}
	}
}

// data is a response without its extensions.
func data(raw []byte) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return string(raw)
	}
	delete(m, "extensions")
	b, _ := json.Marshal(m)
	return string(b)
}
