package server_test

import (
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// wantError checks a response failed with one error of the code (and input field, if given).
func (r response) wantError(t *testing.T, code, field string) {
	t.Helper()
	if len(r.Errors) == 0 {
		t.Fatalf("got no error, want %s: %s", code, r.raw)
	}
	e := r.Errors[0]
	if e.Extensions["code"] != code {
		t.Fatalf("code: got %v, want %s: %s", e.Extensions["code"], code, r.raw)
	}
	if field != "" && e.Extensions["field"] != field {
		t.Errorf("field: got %v, want %s: %s", e.Extensions["field"], field, r.raw)
	}
	if e.Message == "" || strings.Contains(e.Message, "MATCH") || strings.Contains(e.Message, "neo4j") {
		t.Errorf("message %q is empty or leaks internals", e.Message)
	}
}

func TestValidationErrors(t *testing.T) {
	srv, _ := newAPI(t)
	tests := []struct {
		name, query string
		vars        map[string]any
		code, field string
	}{
		{"missing required field", `mutation { createTopic(input: {slug: "x"}) { id } }`, nil, "BAD_USER_INPUT", "name"},
		{"empty required field", `mutation { createTopic(input: {slug: "x", name: "  "}) { id } }`, nil, "BAD_USER_INPUT", "name"},
		{"bad slug", `mutation { createTopic(input: {slug: "Not A Slug", name: "X"}) { id } }`, nil, "BAD_USER_INPUT", "slug"},
		{"bad date literal", `mutation { createEvent(input: {slug: "x", title: "X", kind: MEETING, startDate: "2018-02-30"}) { id } }`, nil, "BAD_USER_INPUT", ""},
		{"bad date variable", `mutation($d: Date) { createEvent(input: {slug: "x", title: "X", kind: MEETING, startDate: $d}) { id } }`, map[string]any{"d": "July 2018"}, "BAD_USER_INPUT", ""},
		{"end before start", `mutation { createEvent(input: {slug: "x", title: "X", kind: MEETING, startDate: "2018-07-12", endDate: "2018-07-11"}) { id } }`, nil, "BAD_USER_INPUT", "endDate"},
		{"end before start on update", `mutation { updateEvent(id: "evt-2018-interpol-unicri-global-meeting-singapore", input: {endDate: "2018-07-10"}) { id } }`, nil, "BAD_USER_INPUT", "endDate"},
		{"bad URL", `mutation { createOrganisation(input: {slug: "x", name: "X", kind: OTHER, website: "ftp://x"}) { id } }`, nil, "BAD_USER_INPUT", "website"},
		{"unknown enum", `mutation { createEvent(input: {slug: "x", title: "X", kind: PARTY}) { id } }`, nil, "GRAPHQL_VALIDATION_FAILED", ""},
		{"bad country code", `mutation { createPlace(input: {slug: "x", name: "X", kind: COUNTRY, countryCode: "nl"}) { id } }`, nil, "BAD_USER_INPUT", "countryCode"},
		{"negative count", `mutation { createPublication(input: {slug: "x", title: "X", kind: REPORT, itemCount: -1}) { id } }`, nil, "BAD_USER_INPUT", "itemCount"},
		{"duplicate slug", `mutation { createTopic(input: {slug: "deepfakes", name: "Again"}) { id } }`, nil, "CONFLICT", "slug"},
		{"duplicate id", `mutation { createTopic(input: {id: "org-unicri", slug: "new", name: "Clash"}) { id } }`, nil, "CONFLICT", "id"},
		{"update of a missing entity", `mutation { updateTopic(id: "topic-nope", input: {name: "X"}) { id } }`, nil, "NOT_FOUND", "id"},
		{"update with the wrong kind", `mutation { updateTopic(id: "org-unicri", input: {name: "X"}) { id } }`, nil, "BAD_USER_INPUT", "id"},
		{"clearing a required field", `mutation { updateTopic(id: "topic-deepfakes", input: {name: null}) { id } }`, nil, "BAD_USER_INPUT", "name"},
		{"delete of a missing entity", `mutation { deleteNode(id: "nope") { id } }`, nil, "NOT_FOUND", "id"},
		{"link to a missing entity", `mutation { link(input: {type: ORGANISED, from: "org-unicri", to: "evt-nope"}) { type } }`, nil, "NOT_FOUND", "to"},
		{"link with a role the type refuses", `mutation { link(input: {type: ORGANISED, from: "org-unicri", to: "evt-c0c0n-conference-kochi", role: PUBLISHER}) { type } }`, nil, "BAD_USER_INPUT", "role"},
		{"link between the wrong kinds", `mutation { link(input: {type: HELD_IN, from: "org-unicri", to: "place-singapore"}) { type } }`, nil, "BAD_USER_INPUT", "from"},
		{"unlink of a missing relation", `mutation { unlink(input: {type: ORGANISED, from: "org-ghent-university", to: "evt-c0c0n-conference-kochi"}) { id } }`, nil, "NOT_FOUND", ""},
		{"page too large", `{ topics(first: 1000) { nodes { id } } }`, nil, "BAD_USER_INPUT", "first"},
		{"first and last", `{ topics(first: 1, last: 1) { nodes { id } } }`, nil, "BAD_USER_INPUT", "first"},
		{"forged cursor", `{ topics(after: "bm90IGEgY3Vyc29y") { nodes { id } } }`, nil, "BAD_USER_INPUT", "after"},
		{"filter that does not apply", `{ places(filter: {topic: "topic-deepfakes"}) { nodes { id } } }`, nil, "BAD_USER_INPUT", "topic"},
		{"order that does not apply", `{ places(orderBy: {field: CO_ORGANISED_EVENT_COUNT}) { nodes { id } } }`, nil, "BAD_USER_INPUT", "orderBy"},
		{"period ends before it starts", `{ events(filter: {from: "2020", to: "2019"}) { nodes { id } } }`, nil, "BAD_USER_INPUT", "to"},
		{"roles without organisation", `{ events(filter: {roles: [HOST]}) { nodes { id } } }`, nil, "BAD_USER_INPUT", "roles"},
		{"id and slug", `{ topic(id: "topic-deepfakes", slug: "deepfakes") { id } }`, nil, "BAD_USER_INPUT", "id"},
		{"connection hops out of range", `{ connection(from: "org-unicri", to: "org-interpol", maxHops: 50) { length } }`, nil, "BAD_USER_INPUT", "maxHops"},
		{"connection from nowhere", `{ connection(from: "org-nope", to: "org-interpol") { length } }`, nil, "NOT_FOUND", "from"},
		{"network around nothing", `{ network(center: "nope") { truncated } }`, nil, "NOT_FOUND", "center"},
		{"network too deep", `{ network(center: "org-unicri", depth: 9) { truncated } }`, nil, "BAD_USER_INPUT", "depth"},
		{"search with no words", `{ search(text: "!!!") { edges { cursor } } }`, nil, "BAD_USER_INPUT", "text"},
		{"co-organised events of one organisation", `{ coOrganisedEvents(organisations: ["org-unicri"]) { nodes { id } } }`, nil, "BAD_USER_INPUT", "organisations"},
		{"co-organised events of a missing organisation", `{ coOrganisedEvents(organisations: ["org-unicri", "org-nope"]) { nodes { id } } }`, nil, "NOT_FOUND", "organisations"},
		{"syntax error", `{ topics( }`, nil, "GRAPHQL_PARSE_FAILED", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			post(t, srv, editorKey, tt.query, tt.vars).wantError(t, tt.code, tt.field)
		})
	}
}

func TestMutationThatFailsHalfwayWritesNothing(t *testing.T) {
	srv, _ := newAPI(t)
	// The first link is valid and is written inside the transaction before the second fails.
	r := post(t, srv, editorKey, `mutation {
	  createEvent(input: {slug: "half-done", title: "Half done", kind: WORKSHOP},
	              links: [{type: ORGANISED, from: "org-unicri", role: ORGANISER}, {type: HELD_IN, to: "place-atlantis"}]) { id }
	}`, nil)
	r.wantError(t, "NOT_FOUND", "links[1].to")
	d := post(t, srv, editorKey, `{ event(slug: "half-done") { id } organisation(slug: "unicri") { events(first: 100) { totalCount } } }`, nil).mustData(t)
	if get(d, "event") != nil {
		t.Errorf("the event was created although the mutation failed")
	}
	before := get(post(t, srv, editorKey, `{ organisation(slug: "unicri") { events(first: 100) { totalCount } } }`, nil).mustData(t), "organisation", "events", "totalCount")
	if get(d, "organisation", "events", "totalCount") != before {
		t.Errorf("UNICRI's events changed")
	}
	// With valid links the same mutation creates the event and both relations at once.
	d = post(t, srv, editorKey, `mutation {
	  createEvent(input: {slug: "half-done", title: "Half done", kind: WORKSHOP},
	              links: [{type: ORGANISED, from: "org-unicri", role: ORGANISER}, {type: HELD_IN, to: "place-kyiv"}]) {
	    id organisers { edges { role node { ... on Organisation { id } } } } place { id }
	  }
	}`, nil).mustData(t)
	if get(d, "createEvent", "place", "id") != "place-kyiv" || get(d, "createEvent", "organisers", "edges", 0, "node", "id") != "org-unicri" {
		t.Errorf("create with links: got %v", d)
	}
}

func TestEditorLifecycle(t *testing.T) {
	srv, _ := newAPI(t)
	d := post(t, srv, editorKey, `mutation {
	  createOrganisation(input: {slug: "example-university", name: "Example University", kind: UNIVERSITY, website: "https://example.edu", founded: "1817"}) { id slug name website founded status createdAt }
	}`, nil).mustData(t)
	if get(d, "createOrganisation", "id") != "org-example-university" || get(d, "createOrganisation", "status") != "PUBLISHED" {
		t.Fatalf("create: got %v", d)
	}
	d = post(t, srv, editorKey, `mutation { updateOrganisation(id: "org-example-university", input: {name: "Example U", website: null}) { name website founded } }`, nil).mustData(t)
	if get(d, "updateOrganisation", "name") != "Example U" || get(d, "updateOrganisation", "website") != nil || get(d, "updateOrganisation", "founded") != "1817" {
		t.Errorf("update: got %v; want name changed, website cleared, founded kept", d)
	}
	d = post(t, srv, editorKey, `mutation { link(input: {type: PUBLISHED, from: "org-example-university", to: "pub-f3-freedom-from-fear-magazine", role: PARTNER}) { type role from { id } to { id } } }`, nil).mustData(t)
	if get(d, "link", "role") != "PARTNER" || get(d, "link", "to", "id") != "pub-f3-freedom-from-fear-magazine" {
		t.Errorf("link: got %v", d)
	}
	// Linking again updates the relation instead of adding a second one.
	post(t, srv, editorKey, `mutation { link(input: {type: PUBLISHED, from: "org-example-university", to: "pub-f3-freedom-from-fear-magazine", role: CO_PUBLISHER}) { role } }`, nil).mustData(t)
	d = post(t, srv, "", `{ publication(slug: "f3-freedom-from-fear-magazine") { publishers { totalCount edges { role node { ... on Organisation { id } } } } } }`, nil).mustData(t)
	if get(d, "publication", "publishers", "totalCount") != float64(3) {
		t.Errorf("publishers after linking twice: got %v, want 3", get(d, "publication", "publishers", "totalCount"))
	}
	post(t, srv, editorKey, `mutation { unlink(input: {type: PUBLISHED, from: "org-example-university", to: "pub-f3-freedom-from-fear-magazine"}) { id } }`, nil).mustData(t)
	post(t, srv, editorKey, `mutation { link(input: {type: LOCATED_IN, from: "org-example-university", to: "place-the-hague"}) { type } }`, nil).mustData(t)
	post(t, srv, editorKey, `mutation { deleteNode(id: "org-example-university") { id } }`, nil).mustData(t)
	d = post(t, srv, "", `{ node(id: "org-example-university") { id } place(slug: "the-hague") { organisations { nodes { id } } } }`, nil).mustData(t)
	if get(d, "node") != nil {
		t.Errorf("deleted organisation still found")
	}
	for _, id := range strs(get(d, "place", "organisations", "nodes"), "id") {
		if id == "org-example-university" {
			t.Errorf("the deleted organisation's relation survived")
		}
	}
}

func TestAnUndatedPartTakesItsUmbrellasPeriodForFiltersAndReports(t *testing.T) {
	srv, _ := newAPI(t)
	post(t, srv, editorKey, `mutation { createEvent(input: {slug: "summit-2031", title: "Summit 2031", kind: CONFERENCE, startDate: "2031-03-04", endDate: "2031-03-06"}) { id } }`, nil).mustData(t)
	d := post(t, srv, editorKey, `mutation {
	  createEvent(input: {slug: "summit-2031-panel", title: "Summit 2031 panel", kind: PANEL}, links: [{type: PART_OF, to: "evt-summit-2031"}]) { id startDate endDate }
	}`, nil).mustData(t)
	if get(d, "createEvent", "startDate") != nil {
		t.Errorf("the part's own dates: got %v, want none (the period is only for filters and reports)", get(d, "createEvent"))
	}
	const q = `{ events(filter: {from: "2031-03-05", to: "2031-03-05"}) { nodes { id } }
	  stats(filter: {from: "2031"}) { activityByYear { year events } } }`
	inPeriod := func(want ...string) {
		t.Helper()
		d := post(t, srv, "", q, nil).mustData(t)
		got := strs(get(d, "events", "nodes"), "id")
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("events on 5 March 2031: got %v, want %v", got, want)
		}
		events := 0.0
		for _, y := range get(d, "stats", "activityByYear").([]any) {
			if get(y, "year") == float64(2031) {
				events = get(y, "events").(float64)
			}
		}
		if events != float64(len(want)) {
			t.Errorf("events in 2031: got %v, want %d", events, len(want))
		}
	}
	both := []string{"evt-summit-2031", "evt-summit-2031-panel"}
	inPeriod(both...)
	// The umbrella moves to another year: the part moves with it.
	post(t, srv, editorKey, `mutation { updateEvent(id: "evt-summit-2031", input: {startDate: "2032-04-01", endDate: "2032-04-02"}) { id } }`, nil).mustData(t)
	inPeriod()
	post(t, srv, editorKey, `mutation { updateEvent(id: "evt-summit-2031", input: {startDate: "2031-03-04", endDate: "2031-03-06"}) { id } }`, nil).mustData(t)
	inPeriod(both...)
	// A draft umbrella lends nothing: its period stays hidden.
	post(t, srv, editorKey, `mutation { updateEvent(id: "evt-summit-2031", input: {status: DRAFT}) { id } }`, nil).mustData(t)
	inPeriod()
	post(t, srv, editorKey, `mutation { updateEvent(id: "evt-summit-2031", input: {status: PUBLISHED}) { id } }`, nil).mustData(t)
	inPeriod(both...)
	// Unlinked, the part has no period; linked again, it has.
	post(t, srv, editorKey, `mutation { unlink(input: {type: PART_OF, from: "evt-summit-2031-panel", to: "evt-summit-2031"}) { id } }`, nil).mustData(t)
	inPeriod("evt-summit-2031")
	post(t, srv, editorKey, `mutation { link(input: {type: PART_OF, from: "evt-summit-2031-panel", to: "evt-summit-2031"}) { type } }`, nil).mustData(t)
	inPeriod(both...)
	// Its own dates win.
	post(t, srv, editorKey, `mutation { updateEvent(id: "evt-summit-2031-panel", input: {startDate: "2030-06-01"}) { id } }`, nil).mustData(t)
	inPeriod("evt-summit-2031")
	post(t, srv, editorKey, `mutation { updateEvent(id: "evt-summit-2031-panel", input: {startDate: null}) { id } }`, nil).mustData(t)
	inPeriod(both...)
	// The umbrella deleted, the part has no period.
	post(t, srv, editorKey, `mutation { deleteNode(id: "evt-summit-2031") { id } }`, nil).mustData(t)
	inPeriod()
	post(t, srv, editorKey, `mutation { deleteNode(id: "evt-summit-2031-panel") { id } }`, nil).mustData(t)
}

func TestDraftsAreHiddenFromAnonymousReaders(t *testing.T) {
	srv, _ := newAPI(t)
	post(t, srv, editorKey, `mutation {
	  createEvent(input: {slug: "secret-meeting", title: "Secret planning meeting", kind: MEETING, startDate: "2026-12-01", status: DRAFT},
	              links: [{type: ORGANISED, from: "org-interpol", role: HOST}, {type: HELD_IN, to: "place-singapore"}]) { id }
	}`, nil).mustData(t)
	const q = `{
	  node(id: "evt-secret-meeting") { id }
	  event(slug: "secret-meeting") { id }
	  events(filter: {place: "place-singapore"}) { totalCount }
	  organisation(slug: "interpol") { events { totalCount } }
	  search(text: "secret planning") { edges { node { node { id } } } }
	  stats { countsByKind { key count } }
	}`
	anon := post(t, srv, "", q, nil).mustData(t)
	analyst := post(t, srv, analystKey, q, nil).mustData(t)
	if get(anon, "node") != nil || get(anon, "event") != nil {
		t.Errorf("anonymous reader sees the draft by id or slug: %v", anon)
	}
	if get(analyst, "node", "id") != "evt-secret-meeting" || get(analyst, "event", "id") != "evt-secret-meeting" {
		t.Errorf("analyst does not see the draft: %v", analyst)
	}
	for _, path := range [][]any{{"events", "totalCount"}, {"organisation", "events", "totalCount"}} {
		a, b := get(anon, path...).(float64), get(analyst, path...).(float64)
		if b != a+1 {
			t.Errorf("%v: anonymous %v, analyst %v; want the analyst to see one more", path, a, b)
		}
	}
	if n := len(get(anon, "search", "edges").([]any)); n != 0 {
		t.Errorf("anonymous search finds the draft")
	}
	if n := len(get(analyst, "search", "edges").([]any)); n == 0 {
		t.Errorf("analyst search does not find the draft")
	}
	post(t, srv, "", `{ events(filter: {status: DRAFT}) { totalCount } }`, nil).wantError(t, "FORBIDDEN", "status")
	// Publishing makes it public.
	post(t, srv, editorKey, `mutation { updateEvent(id: "evt-secret-meeting", input: {status: PUBLISHED}) { status } }`, nil).mustData(t)
	if get(post(t, srv, "", q, nil).mustData(t), "node", "id") != "evt-secret-meeting" {
		t.Errorf("published event still hidden")
	}
}

func TestMutationsNeedAnEditor(t *testing.T) {
	srv, _ := newAPI(t)
	const m = `mutation { createTopic(input: {slug: "t", name: "T"}) { id } }`
	post(t, srv, "", m, nil).wantError(t, "UNAUTHENTICATED", "")
	post(t, srv, analystKey, m, nil).wantError(t, "FORBIDDEN", "")
	r := post(t, srv, "not-a-key", `{ __typename }`, nil)
	if r.Status != http.StatusUnauthorized {
		t.Errorf("wrong key: status %d, want 401", r.Status)
	}
	r.wantError(t, "UNAUTHENTICATED", "")
	if get(post(t, srv, "", `{ topic(slug: "t") { id } }`, nil).mustData(t), "topic") != nil {
		t.Errorf("a refused mutation wrote")
	}
}

func TestGETServesQueriesOnly(t *testing.T) {
	srv, _ := newAPI(t)
	res, err := http.Get(srv.URL + "/graphql?query=" + url.QueryEscape(`{ topic(slug: "deepfakes") { name } }`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), "deepfakes") {
		t.Errorf("GET query: %d %s", res.StatusCode, body)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/graphql?query="+url.QueryEscape(`mutation { deleteNode(id: "topic-deepfakes") { id } }`), nil)
	req.Header.Set("Authorization", "Bearer "+editorKey)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode == 200 && !strings.Contains(string(body), "errors") {
		t.Errorf("GET mutation ran: %d %s", res.StatusCode, body)
	}
	if get(post(t, srv, "", `{ topic(slug: "deepfakes") { id } }`, nil).mustData(t), "topic") == nil {
		t.Errorf("GET mutation deleted the topic")
	}
}

func TestPlaygroundOpensWithTheExamples(t *testing.T) {
	srv, _ := newAPI(t)
	res, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{"GraphiQL", "defaultTabs", "query CoOrganisersOfEvent", "query HowAreTheyConnected", "query DashboardStats"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("playground page lacks %q", want)
		}
	}
}

func TestProbes(t *testing.T) {
	srv, _ := newAPI(t)
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/": 200} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, res.StatusCode, want)
		}
		if res.Header.Get("X-Request-Id") == "" {
			t.Errorf("GET %s: no X-Request-Id", path)
		}
	}
}
