package seed_test

import (
	"bytes"
	"strings"
	"testing"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/seed"
)

func TestCentreDatasetIsValid(t *testing.T) {
	d, err := seed.Load(bytes.NewReader(seed.Centre()))
	if err != nil {
		t.Fatalf("Load(centre.yaml): %v", err)
	}
	counts := map[pg.Kind]int{}
	for _, n := range d.Nodes {
		counts[n.Kind]++
	}
	for _, k := range pg.Kinds {
		if counts[k] == 0 {
			t.Errorf("dataset has no %s", k)
		}
	}
	if len(d.Relations) < 50 {
		t.Errorf("got %d relations, want the page's relations (at least 50)", len(d.Relations))
	}
}

func TestLoadReportsEntryAndField(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown field", "version: 1\ntopics:\n  - {id: topic-a, slug: a, name: A, colour: red}\n", "field colour not found"},
		{"missing name", "version: 1\ntopics:\n  - {id: topic-a, slug: a}\n", "topics[0] (topic-a): name: name is required"},
		{"bad date", "version: 1\nevents:\n  - {id: evt-a, slug: a, title: A, kind: MEETING, startDate: '2018-13-01'}\n", "events[0] (evt-a): startDate:"},
		{"end before start", "version: 1\nevents:\n  - {id: evt-a, slug: a, title: A, kind: MEETING, startDate: '2018-07-12', endDate: '2018-07-11'}\n", "events[0] (evt-a): endDate: endDate (2018-07-11) is before startDate"},
		{"bad enum", "version: 1\nevents:\n  - {id: evt-a, slug: a, title: A, kind: PARTY}\n", "events[0] (evt-a): kind: kind must be one of"},
		{"dangling reference", "version: 1\nevents:\n  - {id: evt-a, slug: a, title: A, kind: MEETING, place: place-nowhere}\n", `events[0] (evt-a): place: no entry has id "place-nowhere"`},
		{"wrong role", "version: 1\norganisations:\n  - {id: org-a, slug: a, name: A, kind: OTHER}\nevents:\n  - {id: evt-a, slug: a, title: A, kind: MEETING, organisers: [{org: org-a, role: PUBLISHER}]}\n", "events[0] (evt-a): organisers[0]: role PUBLISHER is not allowed on ORGANISED"},
		{"wrong kind", "version: 1\ntopics:\n  - {id: topic-a, slug: a, name: A}\nevents:\n  - {id: evt-a, slug: a, title: A, kind: MEETING, place: topic-a}\n", "events[0] (evt-a): place: a HELD_IN relation cannot end at a TOPIC"},
		{"duplicate id", "version: 1\ntopics:\n  - {id: topic-a, slug: a, name: A}\n  - {id: topic-a, slug: b, name: B}\n", `topics[1] (topic-a): id: "topic-a" is already used`},
		{"duplicate slug", "version: 1\ntopics:\n  - {id: topic-a, slug: a, name: A}\n  - {id: topic-b, slug: a, name: B}\n", `topics[1] (topic-b): slug: "a" is already used by topic-a`},
		{"wrong version", "version: 2\n", "version must be 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := seed.Load(strings.NewReader(tt.yaml))
			if err == nil {
				t.Fatalf("Load: got no error, want one containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load: got %q, want it to contain %q", err.Error(), tt.want)
			}
		})
	}
}
