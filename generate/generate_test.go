package generate_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/generate"
)

// graph is a whole generated graph, flattened.
type graph struct {
	nodes []pg.ImportNode
	rels  []pg.Relation
}

func collect(c generate.Config, chunk int) graph {
	var g graph
	for b := range c.Batches(chunk) {
		g.nodes = append(g.nodes, b.Nodes...)
		g.rels = append(g.rels, b.Relations...)
	}
	return g
}

var small = generate.Config{Organisations: 200, Events: 1000, Publications: 200, Seed: 1}

func TestSameSeedSameGraph(t *testing.T) {
	want := collect(small, 10_000)
	tests := []struct {
		name  string
		c     generate.Config
		chunk int
		same  bool
	}{
		{"same seed again", small, 10_000, true},
		{"same seed, other batch size", small, 37, true},
		{"other seed", generate.Config{Organisations: 200, Events: 1000, Publications: 200, Seed: 2}, 10_000, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := collect(tt.c, tt.chunk)
			if same := reflect.DeepEqual(got, want); same != tt.same {
				t.Errorf("graph equal to seed 1's: got %v, want %v", same, tt.same)
			}
		})
	}
}

func TestCountsMatchFlags(t *testing.T) {
	tests := []generate.Config{
		{Organisations: 1, Events: 0, Publications: 0, Seed: 1},
		{Organisations: 50, Events: 10, Publications: 3, Seed: 7},
		small,
		{Organisations: 4321, Events: 2000, Publications: 1234, Seed: 3},
	}
	for _, c := range tests {
		t.Run(fmt.Sprintf("%d-%d-%d", c.Organisations, c.Events, c.Publications), func(t *testing.T) {
			got := c.Count().ByKind
			want := map[pg.Kind]int{
				pg.KindOrganisation: c.Organisations, pg.KindEvent: c.Events, pg.KindPublication: c.Publications,
				pg.KindPerson: c.People(), pg.KindProgramme: c.Programmes(),
				pg.KindPlace: generate.Countries + generate.Cities, pg.KindTopic: generate.Topics,
			}
			for k := range want {
				if want[k] == 0 {
					delete(want, k)
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("entities by kind: got %v, want %v", got, want)
			}
		})
	}
}

// TestDocumentedTotals keeps the package documentation honest.
func TestDocumentedTotals(t *testing.T) {
	tests := []struct {
		c          generate.Config
		nodes, rel int
	}{
		{small, 2_143, 8_790},
		{generate.Config{Organisations: 2000, Events: 15000, Publications: 4000, Seed: 1}, 23_543, 125_553},
	}
	for _, tt := range tests {
		got := tt.c.Count()
		if got.Nodes != tt.nodes || got.Relations != tt.rel {
			t.Errorf("%+v: got %d entities and %d relations, want %d and %d (as the package doc says)",
				tt.c, got.Nodes, got.Relations, tt.nodes, tt.rel)
		}
	}
}

func TestEntitiesAndRelationsAreValid(t *testing.T) {
	c := generate.Config{Organisations: 2000, Events: 15000, Publications: 4000, Seed: 5}
	kinds := map[string]pg.Kind{}
	slugs := map[string]string{}
	seen := map[string]bool{}
	for b := range c.Batches(3000) {
		for _, n := range b.Nodes {
			id, _ := n.Props["id"].(string)
			if !strings.HasPrefix(id, "gen-") {
				t.Fatalf("id %q: want a gen- prefix", id)
			}
			if _, dup := kinds[id]; dup {
				t.Fatalf("id %q generated twice", id)
			}
			kinds[id] = n.Kind
			slug := string(n.Kind) + "/" + n.Props["slug"].(string)
			if other, dup := slugs[slug]; dup {
				t.Fatalf("slug %s of %s is also %s's", slug, id, other)
			}
			slugs[slug] = id
			// The properties are exactly what the domain's input check makes of them.
			got, err := pg.CheckInput(pg.NodeInput{Kind: n.Kind, Fields: n.Props}, true, nil)
			if err != nil {
				t.Fatalf("%s: CheckInput: %v", id, err)
			}
			if !reflect.DeepEqual(got, n.Props) {
				t.Fatalf("%s: got props %v, want them unchanged by CheckInput: %v", id, n.Props, got)
			}
		}
		// Relations point at entities of this batch or an earlier one.
		for _, r := range b.Relations {
			from, to := kinds[r.From], kinds[r.To]
			if from == "" || to == "" {
				t.Fatalf("%+v: an end is not generated in this batch or before", r)
			}
			checked := r
			if err := checked.Check(from, to); err != nil {
				t.Fatalf("%+v (%s -> %s): %v", r, from, to, err)
			}
			if !reflect.DeepEqual(checked, r) {
				t.Fatalf("%+v: Check changed it to %+v: roles must be explicit", r, checked)
			}
			key := string(r.Type) + " " + r.From + " " + r.To
			if seen[key] {
				t.Fatalf("%s generated twice: the import would merge them", key)
			}
			seen[key] = true
		}
	}
}

func TestShape(t *testing.T) {
	c := generate.Config{Organisations: 2000, Events: 15000, Publications: 4000, Seed: 1}
	g := collect(c, 5000)
	per := func(t pg.RelType, end func(pg.Relation) string) map[string]int {
		m := map[string]int{}
		for _, r := range g.rels {
			if r.Type == t {
				m[end(r)]++
			}
		}
		return m
	}
	from := func(r pg.Relation) string { return r.From }
	to := func(r pg.Relation) string { return r.To }

	t.Run("hub 0 organises far more than the median organisation", func(t *testing.T) {
		organised := per(pg.RelOrganised, from)
		counts := make([]int, c.Organisations)
		for i := range counts {
			counts[i] = organised[fmt.Sprintf("gen-org-%06d", i)]
		}
		hub := counts[0]
		slices.Sort(counts)
		median, most := counts[len(counts)/2], counts[len(counts)-1]
		if hub != most {
			t.Errorf("gen-org-000000 organises %d events, another organisation %d: want 0 to be the biggest hub", hub, most)
		}
		if hub < 100*max(median, 1) {
			t.Errorf("gen-org-000000 organises %d events, the median organisation %d: want at least 100 times more", hub, median)
		}
	})
	ranges := []struct {
		name     string
		kind     pg.Kind
		t        pg.RelType
		end      func(pg.Relation) string
		min, max int
	}{
		{"organisers per event", pg.KindEvent, pg.RelOrganised, to, 1, 9}, // 1-8 organisations, maybe a person
		{"topics per event", pg.KindEvent, pg.RelAbout, from, 1, 3},
		{"places per event", pg.KindEvent, pg.RelHeldIn, from, 0, 1},
		{"participants per event", pg.KindEvent, pg.RelAttended, to, 0, 4}, // 0-3 organisations, maybe a person
		{"publishers per publication", pg.KindPublication, pg.RelPublished, to, 1, 4},
		{"topics per publication", pg.KindPublication, pg.RelAbout, from, 1, 3},
		{"cities per organisation", pg.KindOrganisation, pg.RelLocatedIn, from, 1, 1},
	}
	for _, tt := range ranges {
		t.Run(tt.name, func(t *testing.T) {
			counts := per(tt.t, tt.end)
			for _, n := range g.nodes {
				if n.Kind != tt.kind {
					continue
				}
				id := n.Props["id"].(string)
				if got := counts[id]; got < tt.min || got > tt.max {
					t.Fatalf("%s: got %d, want %d to %d", id, got, tt.min, tt.max)
				}
			}
		})
	}
	t.Run("drafts and years", func(t *testing.T) {
		drafts, dated := 0, 0
		for _, n := range g.nodes {
			if n.Kind != pg.KindEvent && n.Kind != pg.KindPublication {
				continue
			}
			dated++
			if n.Props["status"] == string(pg.StatusDraft) {
				drafts++
			}
			date, _ := n.Props["startDate"].(string)
			if date == "" {
				date, _ = n.Props["published"].(string)
			}
			if y := pg.Date(date).Year(); y < 2006 || y > 2025 {
				t.Fatalf("%s dated %q: want 2006 to 2025", n.Props["id"], date)
			}
		}
		if share := float64(drafts) / float64(dated); share < 0.01 || share > 0.03 {
			t.Errorf("got %.1f%% drafts, want about 2%%", 100*share)
		}
	})
}

func TestCheckRefusesBadSizes(t *testing.T) {
	tests := []struct {
		c     generate.Config
		field string
	}{
		{generate.Config{Organisations: 0, Events: 10}, "organisations"},
		{generate.Config{Organisations: 10, Events: -1}, "events"},
		{generate.Config{Organisations: 10, Publications: generate.MaxPublications + 1}, "publications"},
		{generate.Config{Organisations: 10, Events: generate.MaxEvents}, ""},
	}
	for _, tt := range tests {
		err := tt.c.Check()
		if got := pg.ErrorField(err); got != tt.field || (err == nil) != (tt.field == "") {
			t.Errorf("%+v: got error %v (field %q), want field %q", tt.c, err, got, tt.field)
		}
	}
}
