package partnergraph_test

import (
	"testing"

	pg "github.com/unicri/partnergraph"
)

func TestParseDate(t *testing.T) {
	for _, s := range []string{"2018", "2018-07", "2018-07-11", "2024-02-29"} {
		if _, err := pg.ParseDate(s); err != nil {
			t.Errorf("ParseDate(%q): %v", s, err)
		}
	}
	for _, s := range []string{"", "18", "2018-7", "2018-13", "2018-02-30", "2023-02-29", "11/07/2018", "2018-07-11T00:00:00Z"} {
		if _, err := pg.ParseDate(s); pg.ErrorCode(err) != pg.EINVALID {
			t.Errorf("ParseDate(%q): got %v, want EINVALID", s, err)
		}
	}
}

func TestDateRange(t *testing.T) {
	tests := []struct {
		d          pg.Date
		start, end string
		year       int
	}{
		{"2018", "2018-01-01", "2018-12-31", 2018},
		{"2024-02", "2024-02-01", "2024-02-29", 2024},
		{"2018-07-11", "2018-07-11", "2018-07-11", 2018},
	}
	for _, tt := range tests {
		if got := tt.d.Start(); got != tt.start {
			t.Errorf("%s.Start(): got %s, want %s", tt.d, got, tt.start)
		}
		if got := tt.d.End(); got != tt.end {
			t.Errorf("%s.End(): got %s, want %s", tt.d, got, tt.end)
		}
		if got := tt.d.Year(); got != tt.year {
			t.Errorf("%s.Year(): got %d, want %d", tt.d, got, tt.year)
		}
	}
}

func TestPageArgs(t *testing.T) {
	n := func(i int) *int { return &i }
	s := func(v string) *string { return &v }
	c := pg.Cursor{Key: "Geneva", ID: "place-geneva"}.Encode()
	tests := []struct {
		name      string
		args      pg.PageArgs
		wantErr   string // field
		wantLimit int
		backward  bool
	}{
		{"default", pg.PageArgs{}, "", pg.DefaultPageSize, false},
		{"first", pg.PageArgs{First: n(5), After: &c}, "", 5, false},
		{"last", pg.PageArgs{Last: n(3), Before: &c}, "", 3, true},
		{"both", pg.PageArgs{First: n(1), Last: n(1)}, "first", 0, false},
		{"too many", pg.PageArgs{First: n(pg.MaxPageSize + 1)}, "first", 0, false},
		{"negative", pg.PageArgs{Last: n(-1)}, "last", 0, false},
		{"bad cursor", pg.PageArgs{After: s("garbage")}, "after", 0, false},
		{"before without last", pg.PageArgs{First: n(2), Before: &c}, "before", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := tt.args.Validate()
			if tt.wantErr != "" {
				if pg.ErrorCode(err) != pg.EINVALID || pg.ErrorField(err) != tt.wantErr {
					t.Fatalf("got %v, want EINVALID on %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if w.Limit != tt.wantLimit || w.Backward != tt.backward {
				t.Errorf("got limit %d backward %v, want %d %v", w.Limit, w.Backward, tt.wantLimit, tt.backward)
			}
		})
	}
}

func TestCursorRoundTrip(t *testing.T) {
	for _, key := range []any{"2018-07-11", int64(42), 1.5, nil} {
		c, err := pg.DecodeCursor(pg.Cursor{Key: key, ID: "x"}.Encode())
		if err != nil || c.Key != key || c.ID != "x" {
			t.Errorf("round trip of %v: got %+v, %v", key, c, err)
		}
	}
}

func TestCheckInput(t *testing.T) {
	tests := []struct {
		name     string
		in       pg.NodeInput
		create   bool
		existing map[string]any
		field    string // "" for valid
	}{
		{"valid event", pg.NodeInput{Kind: pg.KindEvent, Fields: map[string]any{"slug": "a", "title": "A", "kind": "MEETING", "startDate": "2018"}}, true, nil, ""},
		{"unknown field", pg.NodeInput{Kind: pg.KindTopic, Fields: map[string]any{"slug": "a", "name": "A", "colour": "red"}}, true, nil, "colour"},
		{"required on create", pg.NodeInput{Kind: pg.KindTopic, Fields: map[string]any{"slug": "a"}}, true, nil, "name"},
		{"not required on update", pg.NodeInput{Kind: pg.KindTopic, Fields: map[string]any{"description": "d"}}, false, nil, ""},
		{"id cannot change", pg.NodeInput{Kind: pg.KindTopic, Fields: map[string]any{"id": "topic-b"}}, false, nil, "id"},
		{"date order against stored", pg.NodeInput{Kind: pg.KindEvent, Fields: map[string]any{"endDate": "2018-07-10"}}, false, map[string]any{"startDate": "2018-07-11"}, "endDate"},
		{"month ends after its days", pg.NodeInput{Kind: pg.KindEvent, Fields: map[string]any{"slug": "a", "title": "A", "kind": "MEETING", "startDate": "2018-07-11", "endDate": "2018-07"}}, true, nil, ""},
		{"too long", pg.NodeInput{Kind: pg.KindPlace, Fields: map[string]any{"slug": "a", "name": "A", "kind": "COUNTRY", "countryCode": "NLD"}}, true, nil, "countryCode"},
		{"whole number", pg.NodeInput{Kind: pg.KindPublication, Fields: map[string]any{"itemCount": 2.5}}, false, nil, "itemCount"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := pg.CheckInput(tt.in, tt.create, tt.existing)
			if tt.field == "" && err != nil {
				t.Fatalf("got %v, want valid", err)
			}
			if tt.field != "" && (pg.ErrorCode(err) != pg.EINVALID || pg.ErrorField(err) != tt.field) {
				t.Fatalf("got %v, want EINVALID on %s", err, tt.field)
			}
		})
	}
	props, _ := pg.CheckInput(pg.NodeInput{Kind: pg.KindTopic, Fields: map[string]any{"slug": "a", "name": " A "}}, true, nil)
	if props["status"] != "PUBLISHED" || props["name"] != "A" {
		t.Errorf("defaults: got %v, want status PUBLISHED and trimmed name", props)
	}
}

func TestRelationCheck(t *testing.T) {
	r := pg.Relation{Type: pg.RelOrganised, From: "org-a", To: "evt-b"}
	if err := r.Check(pg.KindOrganisation, pg.KindEvent); err != nil || r.Role != pg.RoleOrganiser {
		t.Errorf("default role: got %v, %v", r.Role, err)
	}
	bad := []struct {
		r         pg.Relation
		from, to  pg.Kind
		wantField string
	}{
		{pg.Relation{Type: "LIKES"}, "", "", "type"},
		{pg.Relation{Type: pg.RelOrganised, Role: pg.RolePublisher}, pg.KindOrganisation, pg.KindEvent, "role"},
		{pg.Relation{Type: pg.RelAbout, Role: pg.RoleHost}, pg.KindEvent, pg.KindTopic, "role"},
		{pg.Relation{Type: pg.RelHeldIn}, pg.KindTopic, pg.KindPlace, "from"},
		{pg.Relation{Type: pg.RelHeldIn}, pg.KindEvent, pg.KindTopic, "to"},
		{pg.Relation{Type: pg.RelPartOf, From: "x", To: "x"}, pg.KindEvent, pg.KindEvent, "to"},
	}
	for _, b := range bad {
		if err := b.r.Check(b.from, b.to); pg.ErrorField(err) != b.wantField {
			t.Errorf("%+v: got %v, want an error on %s", b.r, err, b.wantField)
		}
	}
}
