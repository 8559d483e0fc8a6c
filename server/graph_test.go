package server_test

import (
	"slices"
	"sort"
	"strings"
	"testing"
)

func sorted(s []string) []string {
	out := slices.Clone(s)
	sort.Strings(out)
	return out
}

func TestCoOrganisersOfTheSingaporeGlobalMeeting(t *testing.T) {
	srv, _ := newAPI(t)
	d := post(t, srv, "", `{
	  event(id: "evt-2018-interpol-unicri-global-meeting-singapore") {
	    startDate endDate place { name }
	    organisers(roles: [ORGANISER, CO_ORGANISER, HOST]) { totalCount edges { role node { ... on Organisation { id } } } }
	  }
	}`, nil).mustData(t)
	edges := get(d, "event", "organisers", "edges")
	if got, want := sorted(strs(edges, "node", "id")), []string{"org-interpol", "org-unicri"}; !slices.Equal(got, want) {
		t.Errorf("organisers: got %v, want %v", got, want)
	}
	if got := strs(edges, "role"); !slices.Equal(got, []string{"CO_ORGANISER", "CO_ORGANISER"}) {
		t.Errorf("roles: got %v, want both CO_ORGANISER", got)
	}
	if got := get(d, "event", "place", "name"); got != "Singapore" {
		t.Errorf("place: got %v, want Singapore", got)
	}
	if got := get(d, "event", "startDate"); got != "2018-07-11" {
		t.Errorf("startDate: got %v, want 2018-07-11", got)
	}
	if got := get(d, "event", "organisers", "totalCount"); got != float64(2) {
		t.Errorf("totalCount: got %v, want 2", got)
	}
}

func TestPublicationsUNICRIProducedWithINTERPOL(t *testing.T) {
	srv, _ := newAPI(t)
	d := post(t, srv, "", `{ publications(filter: {organisations: ["org-unicri", "org-interpol"]}) { totalCount nodes { id } } }`, nil).mustData(t)
	got := sorted(strs(get(d, "publications", "nodes"), "id"))
	want := []string{"pub-ai-robotics-for-law-enforcement-report", "pub-toolkit-responsible-ai-innovation-law-enforcement"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v (the report through the two units, the toolkit directly)", got, want)
	}
	// The same question from one side: UNICRI's own publications do not include its unit's report.
	d = post(t, srv, "", `{ organisation(slug: "unicri") { publications { edges { role node { id } } } } }`, nil).mustData(t)
	if got := strs(get(d, "organisation", "publications", "edges"), "node", "id"); slices.Contains(got, "pub-ai-robotics-for-law-enforcement-report") {
		t.Errorf("UNICRI's direct publications include its unit's report: %v", got)
	}
}

func TestConnectionFromGhentUniversityToINTERPOL(t *testing.T) {
	srv, _ := newAPI(t)
	d := post(t, srv, "", `{
	  connection(from: "org-ghent-university", to: "org-interpol", maxHops: 6, limit: 5) {
	    length nodes { id } steps { type role forward explanation from { id } to { id } }
	  }
	}`, nil).mustData(t)
	paths, _ := get(d, "connection").([]any)
	if len(paths) == 0 {
		t.Fatal("no path from Ghent University to INTERPOL")
	}
	for i, p := range paths {
		nodes := strs(get(p, "nodes"), "id")
		if nodes[0] != "org-ghent-university" || nodes[len(nodes)-1] != "org-interpol" {
			t.Errorf("path %d runs %v, want Ghent University ... INTERPOL", i, nodes)
		}
		if get(p, "length") != float64(4) {
			t.Errorf("path %d: length %v, want 4 (shortest)", i, get(p, "length"))
		}
		if nodes[1] != "pub-f3-freedom-from-fear-magazine" || nodes[2] != "org-unicri" {
			t.Errorf("path %d: want it through F3 and UNICRI, got %v", i, nodes)
		}
		steps, _ := get(p, "steps").([]any)
		for j, s := range steps {
			if get(s, "from", "id") != nodes[j] || get(s, "to", "id") != nodes[j+1] {
				t.Errorf("path %d step %d does not join nodes %d and %d", i, j, j, j+1)
			}
			if e, _ := get(s, "explanation").(string); e == "" {
				t.Errorf("path %d step %d has no explanation", i, j)
			}
		}
	}
	first := strs(get(paths[0], "steps"), "explanation")
	if first[0] != "Ghent University partnered in F3 - Freedom From Fear Magazine" || first[1] != "UNICRI published F3 - Freedom From Fear Magazine" {
		t.Errorf("explanations: got %q", first)
	}
}

func TestEventsHeldInSingapore(t *testing.T) {
	srv, _ := newAPI(t)
	want := []string{"evt-2018-interpol-unicri-global-meeting-singapore", "evt-ai-for-safer-children-training-singapore", "evt-toolkit-responsible-ai-launch-singapore"}
	for _, q := range []string{
		`{ events(filter: {place: "place-singapore"}) { totalCount nodes { id } } }`,
		`{ events(filter: {country: "SG"}) { totalCount nodes { id } } }`,
		`{ place(slug: "singapore") { events { totalCount nodes { id } } } }`,
	} {
		d := post(t, srv, "", q, nil).mustData(t)
		list := get(d, "events")
		if list == nil {
			list = get(d, "place", "events")
		}
		if got := sorted(strs(get(list, "nodes"), "id")); !slices.Equal(got, want) {
			t.Errorf("%s\ngot %v, want %v", q, got, want)
		}
		if get(list, "totalCount") != float64(3) {
			t.Errorf("%s: totalCount %v, want 3", q, get(list, "totalCount"))
		}
	}
}

func TestPaginationForwardAndBackward(t *testing.T) {
	srv, _ := newAPI(t)
	const q = `query($first: Int, $after: String, $last: Int, $before: String) {
	  topics(first: $first, after: $after, last: $last, before: $before) {
	    totalCount edges { cursor node { id name } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
	  }
	}`
	all := get(post(t, srv, "", `{ topics(first: 100) { edges { node { id } } } }`, nil).mustData(t), "topics", "edges")
	want := strs(all, "node", "id")
	if len(want) != 21 {
		t.Fatalf("got %d topics, want the dataset's 21", len(want))
	}
	var got []string
	var after any
	pages := 0
	for {
		d := post(t, srv, "", q, map[string]any{"first": 5, "after": after}).mustData(t)
		got = append(got, strs(get(d, "topics", "edges"), "node", "id")...)
		pages++
		if get(d, "topics", "totalCount") != float64(21) {
			t.Fatalf("totalCount: got %v, want 21", get(d, "topics", "totalCount"))
		}
		if get(d, "topics", "pageInfo", "hasNextPage") != true {
			break
		}
		after = get(d, "topics", "pageInfo", "endCursor")
	}
	if pages != 5 || !slices.Equal(got, want) {
		t.Fatalf("paging forward by 5: %d pages, ids %v; want 5 pages, %v", pages, got, want)
	}
	// Backward from the end: last 5 before the cursor of item 15 are items 10..14.
	cursors := strs(get(post(t, srv, "", q, map[string]any{"first": 21}).mustData(t), "topics", "edges"), "cursor")
	d := post(t, srv, "", q, map[string]any{"last": 5, "before": cursors[15]}).mustData(t)
	if got := strs(get(d, "topics", "edges"), "node", "id"); !slices.Equal(got, want[10:15]) {
		t.Errorf("last 5 before item 15: got %v, want %v", got, want[10:15])
	}
	if get(d, "topics", "pageInfo", "hasPreviousPage") != true {
		t.Errorf("backward page in the middle: hasPreviousPage false")
	}
	d = post(t, srv, "", q, map[string]any{"last": 3}).mustData(t)
	if got := strs(get(d, "topics", "edges"), "node", "id"); !slices.Equal(got, want[18:]) {
		t.Errorf("last 3: got %v, want %v", got, want[18:])
	}
}

func TestListFilters(t *testing.T) {
	srv, _ := newAPI(t)
	tests := []struct {
		name, query string
		path        []any
		want        []string
	}{
		{"events by kind", `{ events(filter: {kinds: ["TRAINING"]}) { nodes { id } } }`, []any{"events", "nodes"},
			[]string{"evt-2025-proliferation-sanctions-training-kyiv", "evt-2025-supply-chain-disruption-training-kyiv", "evt-2025-ukraine-advanced-training-kyiv", "evt-ai-for-safer-children-training-singapore"}},
		{"events in a period", `{ events(filter: {from: "2025-06", to: "2025-06"}) { nodes { id } } }`, []any{"events", "nodes"},
			[]string{"evt-2025-igf", "evt-2025-igf-cybercrime-justice-africa-roundtable"}},
		{"events supported by Italy", `{ events(filter: {organisation: "org-government-italy", roles: [SUPPORTER]}) { nodes { id } } }`, []any{"events", "nodes"},
			[]string{"evt-2025-proliferation-sanctions-training-kyiv", "evt-2025-supply-chain-disruption-training-kyiv", "evt-2025-ukraine-advanced-training-kyiv"}},
		{"events of a topic", `{ events(filter: {topic: "topic-child-sexual-exploitation-and-abuse"}) { nodes { id } } }`, []any{"events", "nodes"},
			[]string{"evt-ai-for-safer-children-training-singapore"}},
		{"events by text", `{ events(filter: {text: "roundtable africa"}) { nodes { id } } }`, []any{"events", "nodes"},
			[]string{"evt-2025-igf-cybercrime-justice-africa-roundtable"}},
		{"units of an organisation", `{ organisations(filter: {organisation: "org-interpol"}) { nodes { id } } }`, []any{"organisations", "nodes"},
			[]string{"org-interpol-innovation-centre"}},
		{"places that are countries in a country", `{ places(filter: {kinds: ["CITY"], country: "NL"}) { nodes { id } } }`, []any{"places", "nodes"},
			[]string{"place-the-hague"}},
		{"programmes of an organisation", `{ programmes(filter: {organisation: "org-unicri"}) { nodes { id } } }`, []any{"programmes", "nodes"},
			[]string{"prog-ai-for-safer-children"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := post(t, srv, "", tt.query, nil).mustData(t)
			if got := sorted(strs(get(d, tt.path...), "id")); !slices.Equal(got, sorted(tt.want)) {
				t.Errorf("got %v, want %v", got, sorted(tt.want))
			}
		})
	}
}

func TestOrderByCounts(t *testing.T) {
	srv, _ := newAPI(t)
	d := post(t, srv, "", `{ organisations(orderBy: {field: CO_ORGANISED_EVENT_COUNT}, first: 3) { nodes { id } } }`, nil).mustData(t)
	got := strs(get(d, "organisations", "nodes"), "id")
	// UNICRI organised events with others most often (Global Meeting, Toolkit launch, IGF roundtable).
	if len(got) < 2 || got[0] != "org-unicri" {
		t.Errorf("most co-organised events first: got %v, want org-unicri first", got)
	}
	d = post(t, srv, "", `{ organisations(orderBy: {field: NAME, direction: DESC}, first: 1) { nodes { name } } }`, nil).mustData(t)
	if got := get(d, "organisations", "nodes", 0, "name"); got != "United Nations Security Council" {
		t.Errorf("last by name: got %v", got)
	}
}

func TestCoOrganisationEdges(t *testing.T) {
	srv, _ := newAPI(t)
	d := post(t, srv, "", `{ coOrganisations(filter: {organisation: "org-unicri"}) { totalCount edges { node { a { id } b { id } count events { id } } } } }`, nil).mustData(t)
	edges, _ := get(d, "coOrganisations", "edges").([]any)
	pairs := map[string]float64{}
	for _, e := range edges {
		a, b := get(e, "node", "a", "id").(string), get(e, "node", "b", "id").(string)
		if a >= b {
			t.Errorf("pair %s-%s not in id order", a, b)
		}
		n := get(e, "node", "count").(float64)
		if evs := strs(get(e, "node", "events"), "id"); float64(len(evs)) != n {
			t.Errorf("pair %s-%s: count %v but %d events listed", a, b, n, len(evs))
		}
		pairs[a+"|"+b] = n
	}
	if pairs["org-interpol|org-unicri"] != 2 {
		t.Errorf("INTERPOL-UNICRI co-organised: got %v events, want 2 (Global Meeting, Toolkit launch); all pairs %v", pairs["org-interpol|org-unicri"], pairs)
	}
	if pairs["org-alt-advisory|org-unicri"] != 1 {
		t.Errorf("ALT Advisory-UNICRI: got %v, want 1 (the IGF roundtable)", pairs["org-alt-advisory|org-unicri"])
	}
	if _, ok := pairs["org-government-italy|org-unicri"]; ok {
		t.Errorf("Italy only supported the Kyiv trainings, it did not organise them: %v", pairs)
	}
	if get(d, "coOrganisations", "totalCount") != float64(len(edges)) {
		t.Errorf("totalCount %v, edges %d", get(d, "coOrganisations", "totalCount"), len(edges))
	}
	d = post(t, srv, "", `{ coOrganisations(filter: {from: "2019"}) { edges { node { a { id } b { id } } } } }`, nil).mustData(t)
	for _, e := range get(d, "coOrganisations", "edges").([]any) {
		if get(e, "node", "a", "id") == "org-interpol" {
			t.Errorf("since 2019 INTERPOL co-organised nothing dated, got %v", e)
		}
	}
}

func TestCollaboratorsListTheirSharedWork(t *testing.T) {
	srv, _ := newAPI(t)
	d := post(t, srv, "", `{ organisation(slug: "interpol") { collaborators { totalCount edges { node { organisation { id } score sharedEvents { id } sharedPublications { id } sharedProgrammes { id } } } } } }`, nil).mustData(t)
	edges, _ := get(d, "organisation", "collaborators", "edges").([]any)
	if len(edges) == 0 || get(edges[0], "node", "organisation", "id") != "org-unicri" {
		t.Fatalf("INTERPOL's first collaborator: got %v, want UNICRI", edges)
	}
	if get(d, "organisation", "collaborators", "totalCount") != float64(len(edges)) {
		t.Errorf("collaborators totalCount %v, edges %d", get(d, "organisation", "collaborators", "totalCount"), len(edges))
	}
	n := get(edges[0], "node")
	shared := len(get(n, "sharedEvents").([]any)) + len(get(n, "sharedPublications").([]any)) + len(get(n, "sharedProgrammes").([]any))
	if get(n, "score") != float64(shared) || shared != 3 {
		t.Errorf("score %v, shared items %d; want 3 (two events, the toolkit)", get(n, "score"), shared)
	}
}

func TestNetworkIsCappedAndConsistent(t *testing.T) {
	srv, _ := newAPI(t)
	d := post(t, srv, "", `{ network(center: "org-unicri", depth: 2, limit: 15) { truncated nodes { id kind depth } edges { source target weight } } }`, nil).mustData(t)
	nodes := strs(get(d, "network", "nodes"), "id")
	if len(nodes) != 15 || get(d, "network", "truncated") != true {
		t.Errorf("limit 15: got %d nodes, truncated %v", len(nodes), get(d, "network", "truncated"))
	}
	if nodes[0] != "org-unicri" || get(d, "network", "nodes", 0, "depth") != float64(0) {
		t.Errorf("first node must be the centre at depth 0, got %v", nodes[0])
	}
	for _, e := range get(d, "network", "edges").([]any) {
		if !slices.Contains(nodes, get(e, "source").(string)) || !slices.Contains(nodes, get(e, "target").(string)) {
			t.Errorf("edge %v leaves the network", e)
		}
		if get(e, "weight").(float64) < 1 {
			t.Errorf("edge %v has no weight", e)
		}
	}
	d = post(t, srv, "", `{ network(center: "org-interpol", depth: 1, kinds: [ORGANISATION]) { nodes { id kind } } }`, nil).mustData(t)
	for _, k := range strs(get(d, "network", "nodes"), "kind") {
		if k != "ORGANISATION" {
			t.Errorf("kinds [ORGANISATION]: got a %s", k)
		}
	}
}

func TestSearch(t *testing.T) {
	srv, _ := newAPI(t)
	const q = `query($text: String!, $kinds: [NodeKind!], $after: String) { search(text: $text, kinds: $kinds, first: 3, after: $after) {
	  totalCount edges { node { kind score snippet node { id } } } pageInfo { hasNextPage endCursor } } }`
	tests := []struct {
		name, text string
		kinds      []string
		wantID     string
	}{
		{"exact words", "Freedom From Fear", nil, "pub-f3-freedom-from-fear-magazine"},
		{"typo", "tolkit", []string{"PUBLICATION"}, "pub-toolkit-responsible-ai-innovation-law-enforcement"},
		{"partial word", "ghen", nil, "org-ghent-university"},
		{"person", "beridze", []string{"PERSON"}, "person-irakli-beridze"},
		// An exact name or acronym first: not the units whose names contain it more often.
		{"an acronym", "INTERPOL", nil, "org-interpol"},
		{"an acronym in lower case", "unicri", nil, "org-unicri"},
		{"the start of a name", "F3 - Freedom", nil, "pub-f3-freedom-from-fear-magazine"},
		{"a publication's short name", "f3", nil, "pub-f3-freedom-from-fear-magazine"},
		{"the IGF", "IGF", []string{"ORGANISATION"}, "org-internet-governance-forum"},
		{"a full name", "United Nations Interregional Crime and Justice Research Institute", nil, "org-unicri"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := post(t, srv, "", q, map[string]any{"text": tt.text, "kinds": tt.kinds}).mustData(t)
			edges := get(d, "search", "edges")
			if ids := strs(edges, "node", "node", "id"); len(ids) == 0 || ids[0] != tt.wantID {
				t.Errorf("search %q: got %v, want %s first", tt.text, ids, tt.wantID)
			}
			if len(tt.kinds) > 0 {
				for _, k := range strs(edges, "node", "kind") {
					if k != tt.kinds[0] {
						t.Errorf("kinds %v: got a %s", tt.kinds, k)
					}
				}
			}
		})
	}
	d := post(t, srv, "", q, map[string]any{"text": "singapore"}).mustData(t)
	snippet, _ := get(d, "search", "edges", 0, "node", "snippet").(string)
	if !strings.Contains(strings.ToLower(snippet), "<mark>singapore</mark>") {
		t.Errorf("snippet %q does not mark the match", snippet)
	}
	// Paging through results: no item twice, scores never increase.
	seen := map[string]bool{}
	var after any
	last := 1e9
	for page := 0; page < 10; page++ {
		d := post(t, srv, "", q, map[string]any{"text": "singapore", "after": after}).mustData(t)
		for _, e := range get(d, "search", "edges").([]any) {
			id := get(e, "node", "node", "id").(string)
			if seen[id] {
				t.Errorf("%s returned twice", id)
			}
			seen[id] = true
			if s := get(e, "node", "score").(float64); s > last {
				t.Errorf("score %v after %v: not ranked", s, last)
			} else {
				last = s
			}
		}
		if get(d, "search", "pageInfo", "hasNextPage") != true {
			break
		}
		after = get(d, "search", "pageInfo", "endCursor")
	}
	if len(seen) < 4 {
		t.Errorf("search singapore: %d results over all pages, want at least 4", len(seen))
	}
	// The page gives the magazine's short name, and the model keeps it.
	if d := post(t, srv, "", `{ publication(slug: "f3-freedom-from-fear-magazine") { shortName } }`, nil).mustData(t); get(d, "publication", "shortName") != "F3" {
		t.Errorf("F3's short name: got %v", get(d, "publication"))
	}
	if total := get(post(t, srv, "", q, map[string]any{"text": "singapore"}).mustData(t), "search", "totalCount"); total != float64(len(seen)) {
		t.Errorf("search totalCount %v, results paged through %d", total, len(seen))
	}
}

func TestStats(t *testing.T) {
	srv, _ := newAPI(t)
	d := post(t, srv, "", `{ stats {
	  countsByKind { key count }
	  activityByYear { year events publications byEventKind { key count } }
	  eventsByCountry { key count }
	  topPartners(limit: 3) { key count }
	} }`, nil).mustData(t)
	counts := map[string]float64{}
	for _, b := range get(d, "stats", "countsByKind").([]any) {
		counts[get(b, "key").(string)] = get(b, "count").(float64)
	}
	want := map[string]float64{"ORGANISATION": 14, "EVENT": 12, "PUBLICATION": 6, "TOPIC": 21, "PLACE": 11, "PERSON": 1, "PROGRAMME": 1}
	for k, v := range want {
		if counts[k] != v {
			t.Errorf("count of %s: got %v, want %v", k, counts[k], v)
		}
	}
	years := get(d, "stats", "activityByYear").([]any)
	if get(years, 0, "year") != float64(2018) || get(years, 0, "events") != float64(1) || get(years, 0, "byEventKind", 0, "key") != "MEETING" {
		t.Errorf("2018 activity: got %v, want one MEETING", get(years, 0))
	}
	countries := map[string]float64{}
	for _, b := range get(d, "stats", "eventsByCountry").([]any) {
		countries[get(b, "key").(string)] = get(b, "count").(float64)
	}
	if countries["SG"] != 3 || countries["UA"] != 3 || countries["CH"] != 2 {
		t.Errorf("events by country: got %v, want SG 3, UA 3, CH 2", countries)
	}
	if get(d, "stats", "topPartners", 0, "key") != "org-unicri" {
		t.Errorf("top partner: got %v, want UNICRI", get(d, "stats", "topPartners", 0))
	}
	// The same filter narrows every report.
	d = post(t, srv, "", `{ stats(filter: {country: "SG"}) { countsByKind { key count } eventsByCountry { key count } } }`, nil).mustData(t)
	for _, b := range get(d, "stats", "countsByKind").([]any) {
		if get(b, "key") == "EVENT" && get(b, "count") != float64(3) {
			t.Errorf("events in SG: got %v, want 3", get(b, "count"))
		}
	}
	if c := get(d, "stats", "eventsByCountry").([]any); len(c) != 1 || get(c, 0, "key") != "SG" {
		t.Errorf("eventsByCountry filtered to SG: got %v", c)
	}
}

func TestTopPartnersRollUpUnitsAndCountAnEventWithItsPartsOnce(t *testing.T) {
	srv, _ := newAPI(t)
	d := post(t, srv, "", `{ stats {
	  rolledUp: topPartners(limit: 20) { key count }
	  unitsApart: topPartners(limit: 20, units: true) { key count }
	  everyEvent: topPartners(limit: 20, units: true, perEvent: true) { key count }
	} }`, nil).mustData(t)
	counts := func(alias string) map[string]float64 {
		out := map[string]float64{}
		for _, b := range get(d, "stats", alias).([]any) {
			out[get(b, "key").(string)] = get(b, "count").(float64)
		}
		return out
	}
	rolled, apart, every := counts("rolledUp"), counts("unitsApart"), counts("everyEvent")
	// Rolled up, the Centre's and the Innovation Centre's work is UNICRI's and INTERPOL's: the
	// 2018 report joins INTERPOL's meeting, Toolkit launch and Toolkit.
	if get(d, "stats", "rolledUp", 0, "key") != "org-unicri" || rolled["org-interpol"] != 4 {
		t.Errorf("rolled up: got %v, want UNICRI first and INTERPOL with 4", get(d, "stats", "rolledUp"))
	}
	for _, unit := range []string{"org-unicri-centre-ai-robotics", "org-interpol-innovation-centre"} {
		if _, ok := rolled[unit]; ok {
			t.Errorf("rolled up, the unit %s is ranked on its own: %v", unit, rolled)
		}
		if apart[unit] != 1 {
			t.Errorf("units apart: %s got %v, want 1 (the 2018 report)", unit, apart[unit])
		}
	}
	if apart["org-interpol"] != 3 {
		t.Errorf("units apart: INTERPOL got %v, want 3", apart["org-interpol"])
	}
	// The Kyiv delivery (a training and its two sessions) is one engagement unless perEvent.
	for _, org := range []string{"org-government-france", "org-government-italy", "org-ukrainian-authorities"} {
		if rolled[org] != 1 || apart[org] != 1 || every[org] != 3 {
			t.Errorf("%s: got %v rolled up, %v units apart, %v per event; want 1, 1, 3", org, rolled[org], apart[org], every[org])
		}
	}
}

func TestRelationshipListsPageBothWays(t *testing.T) {
	srv, _ := newAPI(t)
	const q = `query($first: Int, $after: String, $last: Int, $before: String) {
	  organisation(slug: "unicri") { events(first: $first, after: $after, last: $last, before: $before, orderBy: {field: NAME}) {
	    totalCount edges { cursor role node { id } } pageInfo { hasNextPage hasPreviousPage }
	  } }
	}`
	all := get(post(t, srv, "", q, map[string]any{"first": 100}).mustData(t), "organisation", "events")
	ids, cursors := strs(get(all, "edges"), "node", "id"), strs(get(all, "edges"), "cursor")
	if len(ids) < 6 || get(all, "totalCount") != float64(len(ids)) {
		t.Fatalf("UNICRI's events: %d, totalCount %v", len(ids), get(all, "totalCount"))
	}
	page := get(post(t, srv, "", q, map[string]any{"first": 2, "after": cursors[1]}).mustData(t), "organisation", "events")
	if got := strs(get(page, "edges"), "node", "id"); !slices.Equal(got, ids[2:4]) {
		t.Errorf("first 2 after item 1: got %v, want %v", got, ids[2:4])
	}
	page = get(post(t, srv, "", q, map[string]any{"last": 2, "before": cursors[4]}).mustData(t), "organisation", "events")
	if got := strs(get(page, "edges"), "node", "id"); !slices.Equal(got, ids[2:4]) {
		t.Errorf("last 2 before item 4: got %v, want %v", got, ids[2:4])
	}
	if get(page, "pageInfo", "hasPreviousPage") != true {
		t.Errorf("hasPreviousPage false with items before")
	}
}

func TestStatsFilteredByEventKind(t *testing.T) {
	srv, _ := newAPI(t)
	d := post(t, srv, "", `{ stats(filter: {eventKinds: [TRAINING]}) { activityByYear { year events byEventKind { key count } } countsByKind { key count } } }`, nil).mustData(t)
	var events float64
	for _, y := range get(d, "stats", "activityByYear").([]any) {
		events += get(y, "events").(float64)
		for _, b := range get(y, "byEventKind").([]any) {
			if get(b, "key") != "TRAINING" {
				t.Errorf("event kind filter let %v through", get(b, "key"))
			}
		}
	}
	// Four trainings: the Singapore AI for Safer Children one (undated) and three in Kyiv (the
	// delivery and its two sessions, all dated 14-18 July 2025 as the page gives them).
	if events != 3 {
		t.Errorf("dated trainings per year: got %v, want 3 (Kyiv, 2025)", events)
	}
	for _, b := range get(d, "stats", "countsByKind").([]any) {
		if get(b, "key") == "EVENT" && get(b, "count") != float64(4) {
			t.Errorf("trainings counted: %v, want 4", get(b, "count"))
		}
	}
}

func TestCollaboratorsWithAFilterRollUnitsUpAndCountAnEventWithItsPartsOnce(t *testing.T) {
	srv, _ := newAPI(t)
	const q = `query($after: String) { organisation(slug: "interpol") {
	  flat: collaborators(first: 5) { edges { node { organisation { id } score } } }
	  rolled: collaborators(filter: {}, first: 1, after: $after) { totalCount
	    edges { cursor node { organisation { id } score sharedEvents { id } sharedPublications { id } } }
	    pageInfo { hasNextPage endCursor } }
	} }`
	d := post(t, srv, "", q, nil).mustData(t)
	first := get(d, "organisation", "rolled", "edges", 0, "node")
	if get(first, "organisation", "id") != "org-unicri" || get(first, "score") != float64(4) {
		t.Fatalf("INTERPOL's first collaborator, units rolled up: got %v, want UNICRI with 4 shared", first)
	}
	shared := append(strs(get(first, "sharedEvents"), "id"), strs(get(first, "sharedPublications"), "id")...)
	if !slices.Contains(shared, "pub-ai-robotics-for-law-enforcement-report") {
		t.Errorf("the 2018 report (the units' work) is not among the shared work: %v", shared)
	}
	// Without a filter every organisation counts apart: the 2018 report is the units', not
	// INTERPOL's and UNICRI's, so they share 3.
	if flat := get(d, "organisation", "flat", "edges", 0, "node"); get(flat, "organisation", "id") != "org-unicri" || get(flat, "score") != float64(3) {
		t.Errorf("INTERPOL's first collaborator, units apart: got %v, want UNICRI with 3", flat)
	}
	// Paging by the cursor goes on to the next partner.
	if get(d, "organisation", "rolled", "pageInfo", "hasNextPage") == true {
		next := post(t, srv, "", q, map[string]any{"after": get(d, "organisation", "rolled", "pageInfo", "endCursor")}).mustData(t)
		if id := get(next, "organisation", "rolled", "edges", 0, "node", "organisation", "id"); id == "org-unicri" || id == nil {
			t.Errorf("the second page starts with %v", id)
		}
	}
}
