package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/internal/neo4jtest"
	"github.com/unicri/partnergraph/server"
)

// importWideGraph loads orgs organisations, each organising events with two others, each event
// about two of the topics the organisations prioritise: enough breadth for every list of the
// nested document below to be full.
func importWideGraph(t *testing.T, orgs, eventsPerOrg int) *server.Options {
	t.Helper()
	db := neo4jtest.Open(t)
	var nodes []pg.ImportNode
	var rels []pg.Relation
	for i := range 10 {
		nodes = append(nodes, pg.ImportNode{Kind: pg.KindTopic, Props: map[string]any{"id": fmt.Sprintf("t%d", i), "slug": fmt.Sprintf("t%d", i), "name": fmt.Sprintf("Topic %d", i), "status": "PUBLISHED"}})
	}
	for i := range orgs {
		id := fmt.Sprintf("o%03d", i)
		nodes = append(nodes, pg.ImportNode{Kind: pg.KindOrganisation, Props: map[string]any{"id": id, "slug": id, "name": "Org " + id, "kind": "OTHER", "status": "PUBLISHED"}})
		for k := range 6 {
			rels = append(rels, pg.Relation{Type: pg.RelPrioritises, From: id, To: fmt.Sprintf("t%d", (i+k)%10)})
		}
	}
	for i := range orgs * eventsPerOrg {
		id := fmt.Sprintf("e%04d", i)
		nodes = append(nodes, pg.ImportNode{Kind: pg.KindEvent, Props: map[string]any{"id": id, "slug": id, "title": "Event " + id, "kind": "MEETING", "status": "PUBLISHED", "startDate": fmt.Sprintf("20%02d-01-01", i%25)}})
		for k := range 3 {
			role := pg.RoleCoOrganiser
			rels = append(rels, pg.Relation{Type: pg.RelOrganised, From: fmt.Sprintf("o%03d", (i+k*7)%orgs), To: id, Role: role})
		}
	}
	if _, err := db.Importer().Import(context.Background(), nodes, rels, 2000); err != nil {
		t.Fatal(err)
	}
	if err := db.Importer().Finish(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &server.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Health: readyHealth{db},
		// A loader wait of 1ns: a batch is complete only because the level above announced its
		// parents (loader.Expect), never because the keys happened to arrive in time.
		ExposeRoundTrips: true, LoaderWait: time.Nanosecond,
		APIKeys:  []server.APIKey{{Name: "editor", SHA256: sha256.Sum256([]byte(editorKey)), Access: pg.AccessEditor}},
		Services: services(db)}
}

// TestCompiledRootFieldsAreOneStatement: a root field the compiler serves is one statement,
// however deep and wide its selection, also with eight clients at once.
func TestCompiledRootFieldsAreOneStatement(t *testing.T) {
	o := importWideGraph(t, 60, 10)
	srv := httptest.NewServer(server.New(*o))
	defer srv.Close()
	const doc = `fragment Org on Organisation { name priorities(first: 5) { totalCount nodes { name } } }
	{ organisations(first: 50) { totalCount nodes { ...Org
	    events(first: 10) { totalCount edges { role node { title place { name }
	      organisers(first: 8) { edges { node { ...Org } } } } } } } } }`
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			var ext struct {
				Extensions struct {
					CypherRoundTrips int64 `json:"cypherRoundTrips"`
				} `json:"extensions"`
			}
			r := post(t, srv, "", doc, nil)
			if err := json.Unmarshal(r.raw, &ext); err != nil || len(r.Errors) > 0 {
				errs <- fmt.Errorf("errors %v %s", err, r.raw)
				return
			}
			if got := ext.Extensions.CypherRoundTrips; got != 1 {
				errs <- fmt.Errorf("round trips: got %d, want 1", got)
				return
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	// Two root fields, two statements; a field the compiler does not serve (collaborators)
	// sends its root field to the resolvers and their batches.
	r := post(t, srv, "", `{ a: organisation(id: "o001") { name } b: events(first: 3) { nodes { title } } }`, nil)
	r.mustData(t)
	if !strings.Contains(string(r.raw), `"cypherRoundTrips":2`) {
		t.Errorf("two root fields: %s", r.raw)
	}
}

// TestRoundTripsDoNotGrowWithListSizes: on the resolvers' path (the fields the compiler does
// not serve take it), organisations -> events -> organisers -> priorities costs one statement
// per level, whether the lists hold 2 items or 50.
func TestRoundTripsDoNotGrowWithListSizes(t *testing.T) {
	o := importWideGraph(t, 60, 10)
	o.Services.Reads = nil // the resolvers alone
	// It counts statements, not time: eight heavy documents at once on a loaded 2-core machine
	// under -race may outlast the default deadline and answer SERVICE_BUSY, rightly.
	o.Limits.Timeout = 2 * time.Minute
	srv := httptest.NewServer(server.New(*o))
	defer srv.Close()
	const doc = `query($orgs: Int, $events: Int, $orgs2: Int, $topics: Int) {
	  organisations(first: $orgs) { nodes { name
	    events(first: $events) { edges { role node { title
	      organisers(first: $orgs2) { edges { role node { ... on Organisation { name
	        priorities(first: $topics) { nodes { name } } } } } } } } } } }
	}`
	tests := []struct {
		name                       string
		orgs, events, orgs2, topic int
		want                       int64
	}{
		{"small lists", 2, 2, 2, 2, 4},
		{"full lists", 50, 10, 8, 5, 4},
	}
	t.Run("under concurrent load", func(t *testing.T) {
		// Eight clients at once on a 2-core machine under -race: the batches must not split.
		const doc = `fragment Org on Organisation { name priorities(first: 5) { totalCount nodes { name } } }
		{ organisations(first: 50) { totalCount nodes { ...Org
		    events(first: 10) { totalCount edges { role node { title place { name }
		      organisers(first: 8) { edges { node { ...Org } } } } } } } } }`
		errs := make(chan error, 8)
		// Cheap reads run meanwhile: heavy documents queue in a lane of their own.
		cheap := make(chan error, 1)
		go func() {
			for range 20 {
				r := post(t, srv, "", `{ topics(first: 5) { nodes { name } } }`, nil)
				if len(r.Errors) > 0 {
					cheap <- fmt.Errorf("a cheap read during the heavy ones: %s", r.raw)
					return
				}
			}
			cheap <- nil
		}()
		for range 8 {
			go func() {
				var ext struct {
					Extensions struct {
						CypherRoundTrips int64 `json:"cypherRoundTrips"`
					} `json:"extensions"`
				}
				r := post(t, srv, "", doc, nil)
				if err := json.Unmarshal(r.raw, &ext); err != nil || len(r.Errors) > 0 {
					errs <- fmt.Errorf("errors %v %v", err, r.Errors)
					return
				}
				// organisations + total, their priorities + totals, events + totals, the
				// events' places, organisers, the organisers' priorities + totals: 10 statements.
				// (The organisers' priorities are another batch: the same fragment field is
				// announced by two levels, and the second level's parents arrive later.)
				if got := ext.Extensions.CypherRoundTrips; got != 10 {
					errs <- fmt.Errorf("round trips: got %d, want 10", got)
					return
				}
				errs <- nil
			}()
		}
		for range 8 {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		if err := <-cheap; err != nil {
			t.Error(err)
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(t, srv, "", doc, map[string]any{"orgs": tt.orgs, "events": tt.events, "orgs2": tt.orgs2, "topics": tt.topic})
			d := r.mustData(t)
			var ext struct {
				Extensions struct {
					CypherRoundTrips int64 `json:"cypherRoundTrips"`
				} `json:"extensions"`
			}
			if err := json.Unmarshal(r.raw, &ext); err != nil {
				t.Fatal(err)
			}
			orgs, _ := get(d, "organisations", "nodes").([]any)
			events, _ := get(orgs[0], "events", "edges").([]any)
			if len(orgs) != tt.orgs || len(events) != tt.events {
				t.Fatalf("lists not full: %d organisations, %d events", len(orgs), len(events))
			}
			if got := ext.Extensions.CypherRoundTrips; got != tt.want {
				t.Errorf("round trips: got %d, want %d (one per nesting level)", got, tt.want)
			}
		})
	}
	// Entities inside search hits, network nodes, paths and collaborators are announced too:
	// their relation fields are one batch each, not one per entity (the loader window is 1ns).
	wrapped := []struct {
		name, doc string
		want      float64
	}{
		{"search hits", `{ search(text: "Event", first: 30) { edges { node { node {
			... on Event { organisers(first: 3) { edges { node { ... on Organisation { name } } } } } } } } } }`, 2},
		{"network nodes", `{ network(center: "o000", depth: 1, limit: 40) { nodes { node {
			... on Event { organisers(first: 3) { edges { node { ... on Organisation { name } } } } }
			... on Organisation { priorities(first: 2) { nodes { name } } } } } } }`, 5},
		{"path nodes", `{ connection(from: "o000", to: "o007", maxHops: 4, limit: 20) { nodes {
			... on Event { organisers(first: 3) { edges { node { ... on Organisation { name } } } } }
			... on Organisation { priorities(first: 2) { nodes { name } } } } } }`, 3},
		{"co-organisation pairs", `{ coOrganisations(first: 20) { edges { node { a { name priorities(first: 2) { nodes { name } } }
			b { name } events { organisers(first: 3) { edges { node { ... on Organisation { name } } } } } } } } }`, 3},
		{"collaborators' organisations", `{ organisations(first: 50) { nodes { collaborators(first: 10) {
			edges { node { score organisation { name priorities(first: 2) { nodes { name } } } } } } } } }`, 3},
	}
	for _, w := range wrapped {
		t.Run(w.name, func(t *testing.T) {
			r := post(t, srv, "", w.doc, nil)
			d := r.mustData(t)
			var ext struct {
				Extensions map[string]float64 `json:"extensions"`
			}
			_ = json.Unmarshal(r.raw, &ext)
			if got := ext.Extensions["cypherRoundTrips"]; got != w.want {
				t.Errorf("round trips: got %v, want %v; data %.300v", got, w.want, d)
			}
		})
	}
	t.Run("collaborators of many organisations", func(t *testing.T) {
		r := post(t, srv, "", `{ organisations(first: 40) { nodes { collaborators(first: 3) { totalCount edges { node { score } } } } } }`, nil)
		r.mustData(t)
		var ext struct {
			Extensions map[string]float64 `json:"extensions"`
		}
		_ = json.Unmarshal(r.raw, &ext)
		if got := ext.Extensions["cypherRoundTrips"]; got != 3 {
			t.Errorf("round trips: got %v, want 3 (list, collaborators, their totals)", got)
		}
	})
}
