package partnergraph_test

// Fuzz targets for the domain's input rules: whatever a client sends as page arguments,
// cursors, entity fields or dates, the checks answer with a value or EINVALID, never a panic,
// and what they accept is stable. `make fuzz` runs each for longer; `go test` runs the seeds.

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	pg "github.com/unicri/partnergraph"
)

// FuzzDecodeCursor: any string decodes to a cursor or EINVALID; a decoded cursor re-encodes
// to a string that decodes to the same cursor, with a key of one of the types the store sorts by.
func FuzzDecodeCursor(f *testing.F) {
	for _, key := range []any{"Geneva", "2018-07-11", int64(42), int64(-1), 1.5, 1e300, -0.0, nil, ""} {
		f.Add(pg.Cursor{Key: key, ID: "place-geneva"}.Encode())
	}
	for _, s := range []string{"", "garbage", "e30", "eyJpIjoiIn0", "eyJrIjpbXSwiaSI6IngifQ", "eyJrIjp7fSwiaSI6IngifQ",
		"eyJrIjp0cnVlLCJpIjoieCJ9", "eyJrIjo5MjIzMzcyMDM2ODU0Nzc1ODA4LCJpIjoieCJ9", "eyJrIjoiXHVkODAwIiwiaSI6IngifQ",
		"eyJpIjoxfQ", "bnVsbA", "W10", "eyJrIjoxLCJpIjoieCJ9=", "eyJrIjoxLCJpIjoieCJ9\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := pg.DecodeCursor(s)
		if err != nil {
			if pg.ErrorCode(err) != pg.EINVALID {
				t.Fatalf("DecodeCursor(%q): got %v, want EINVALID", s, err)
			}
			return
		}
		if c.ID == "" {
			t.Fatalf("DecodeCursor(%q): accepted a cursor without an id: %#v", s, c)
		}
		switch k := c.Key.(type) {
		case string, int64, nil:
		case float64:
			if math.IsNaN(k) || math.IsInf(k, 0) {
				t.Fatalf("DecodeCursor(%q): key %v is not a number JSON can carry", s, k)
			}
		default:
			t.Fatalf("DecodeCursor(%q): key of type %T, want string, int64, float64 or nil", s, c.Key)
		}
		enc := c.Encode()
		again, err := pg.DecodeCursor(enc)
		if err != nil {
			t.Fatalf("DecodeCursor(%q) = %#v, whose Encode() %q does not decode: %v", s, c, enc, err)
		}
		if !reflect.DeepEqual(again, c) {
			t.Fatalf("DecodeCursor(%q) = %#v, but its Encode() %q decodes to %#v", s, c, enc, again)
		}
		if enc2 := again.Encode(); enc2 != enc {
			t.Fatalf("Encode is not stable: %q, then %q", enc, enc2)
		}
	})
}

// FuzzPageArgs: any combination of first/after/last/before validates to a window within the
// page bounds or fails with EINVALID naming one of the four arguments. A cursor argument is
// never silently dropped: if the window pages from a cursor, it is the one the client gave in
// the direction it pages, and a cursor given in the other direction is refused.
func FuzzPageArgs(f *testing.F) {
	c := pg.Cursor{Key: "Geneva", ID: "place-geneva"}.Encode()
	type seed struct {
		first     int
		hasFirst  bool
		after     string
		hasAfter  bool
		last      int
		hasLast   bool
		before    string
		hasBefore bool
	}
	for _, s := range []seed{
		{}, // the defaults
		{first: 5, hasFirst: true, after: c, hasAfter: true},
		{last: 3, hasLast: true, before: c, hasBefore: true},
		{first: 0, hasFirst: true},
		{first: pg.MaxPageSize, hasFirst: true},
		{first: pg.MaxPageSize + 1, hasFirst: true},
		{first: -1, hasFirst: true},
		{first: math.MinInt, hasFirst: true},
		{last: math.MaxInt, hasLast: true},
		{first: 1, hasFirst: true, last: 1, hasLast: true},
		{after: c, hasAfter: true, before: c, hasBefore: true},
		{before: c, hasBefore: true},
		{first: 2, hasFirst: true, before: c, hasBefore: true},
		{after: "garbage", hasAfter: true},
		{before: "garbage", hasBefore: true, last: 1, hasLast: true},
		// Backward with a forward cursor: the cursor must be used or refused, not ignored.
		{last: 5, hasLast: true, after: c, hasAfter: true},
		{last: 5, hasLast: true, after: "garbage", hasAfter: true},
	} {
		f.Add(s.first, s.hasFirst, s.after, s.hasAfter, s.last, s.hasLast, s.before, s.hasBefore)
	}
	f.Fuzz(func(t *testing.T, first int, hasFirst bool, after string, hasAfter bool, last int, hasLast bool, before string, hasBefore bool) {
		var p pg.PageArgs
		if hasFirst {
			p.First = &first
		}
		if hasAfter {
			p.After = &after
		}
		if hasLast {
			p.Last = &last
		}
		if hasBefore {
			p.Before = &before
		}
		desc := describePage(p)
		w, err := p.Validate()
		if err != nil {
			if pg.ErrorCode(err) != pg.EINVALID {
				t.Fatalf("%s: got %v, want EINVALID", desc, err)
			}
			switch pg.ErrorField(err) {
			case "first", "after", "last", "before":
			default:
				t.Fatalf("%s: error %v names field %q, want one of first, after, last, before", desc, err, pg.ErrorField(err))
			}
			return
		}
		if w.Limit < 0 || w.Limit > pg.MaxPageSize {
			t.Fatalf("%s: limit %d outside 0..%d", desc, w.Limit, pg.MaxPageSize)
		}
		if n := p.First; n != nil && w.Limit != *n {
			t.Fatalf("%s: limit %d, want first", desc, w.Limit)
		}
		if n := p.Last; n != nil && w.Limit != *n {
			t.Fatalf("%s: limit %d, want last", desc, w.Limit)
		}
		if p.First == nil && p.Last == nil && w.Limit != pg.DefaultPageSize {
			t.Fatalf("%s: limit %d, want the default %d", desc, w.Limit, pg.DefaultPageSize)
		}
		if p.Last != nil && !w.Backward {
			t.Fatalf("%s: last pages backward", desc)
		}
		if p.First != nil && w.Backward {
			t.Fatalf("%s: first pages forward", desc)
		}
		// The cursor the window pages from, and the one it must not ignore.
		used, other, otherName := p.After, p.Before, "before"
		if w.Backward {
			used, other, otherName = p.Before, p.After, "after"
		}
		if other != nil {
			t.Fatalf("%s: accepted, paging %s, but %s %q is ignored: refuse it (EINVALID) or use it",
				desc, direction(w), otherName, *other)
		}
		if (used == nil) != (w.Cursor == nil) {
			t.Fatalf("%s: window cursor %v, want the %s cursor", desc, w.Cursor, direction(w))
		}
		if used != nil {
			want, err := pg.DecodeCursor(*used)
			if err != nil {
				t.Fatalf("%s: accepted a cursor DecodeCursor refuses: %v", desc, err)
			}
			if !reflect.DeepEqual(*w.Cursor, want) {
				t.Fatalf("%s: window cursor %#v, want %#v", desc, *w.Cursor, want)
			}
		}
	})
}

func direction(w pg.Window) string {
	if w.Backward {
		return "backward"
	}
	return "forward"
}

func describePage(p pg.PageArgs) string {
	var parts []string
	if p.First != nil {
		parts = append(parts, fmt.Sprintf("first: %d", *p.First))
	}
	if p.After != nil {
		parts = append(parts, fmt.Sprintf("after: %q", *p.After))
	}
	if p.Last != nil {
		parts = append(parts, fmt.Sprintf("last: %d", *p.Last))
	}
	if p.Before != nil {
		parts = append(parts, fmt.Sprintf("before: %q", *p.Before))
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// FuzzParseDate: an accepted date is the string given, its Start() is not after its End(),
// both are real days inside the date, and Year() is the year time.Parse reads.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2018", "2018-07", "2018-07-11", "2024-02", "2023-02", "2024-02-29", "2023-02-29",
		"0000", "9999-12-31", "0001-01", "2018-13", "2018-00", "2018-07-32", "18", "2018-7", "+201", "-001",
		"2018-07-11T00:00:00Z", "２０１８", "2018/07/11", " 2018", "2018 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := pg.ParseDate(s)
		if err != nil {
			if pg.ErrorCode(err) != pg.EINVALID {
				t.Fatalf("ParseDate(%q): got %v, want EINVALID", s, err)
			}
			return
		}
		if string(d) != s {
			t.Fatalf("ParseDate(%q) = %q, want the string given", s, d)
		}
		start, end := d.Start(), d.End()
		if start > end {
			t.Fatalf("ParseDate(%q): Start() %s is after End() %s", s, start, end)
		}
		st, err := time.Parse("2006-01-02", start)
		if err != nil {
			t.Fatalf("ParseDate(%q): Start() %q is not a day: %v", s, start, err)
		}
		en, err := time.Parse("2006-01-02", end)
		if err != nil {
			t.Fatalf("ParseDate(%q): End() %q is not a day: %v", s, end, err)
		}
		if !strings.HasPrefix(start, s) || !strings.HasPrefix(end, s) {
			t.Fatalf("ParseDate(%q): Start() %s and End() %s must lie inside the date", s, start, end)
		}
		if next := en.AddDate(0, 0, 1).Format("2006-01-02"); strings.HasPrefix(next, s) {
			t.Fatalf("ParseDate(%q): End() %s is not the last day (%s is inside too)", s, end, next)
		}
		if prev := st.AddDate(0, 0, -1).Format("2006-01-02"); strings.HasPrefix(prev, s) {
			t.Fatalf("ParseDate(%q): Start() %s is not the first day (%s is inside too)", s, start, prev)
		}
		if d.Year() != st.Year() || d.Year() != en.Year() {
			t.Fatalf("ParseDate(%q): Year() %d, want %d", s, d.Year(), st.Year())
		}
	})
}

// dateLike is a named string type, as gqlgen hands enums and scalars to the resolvers.
type dateLike string

// FuzzCheckInput: field maps built from fuzzed names and values, for every kind and for
// create and update, never make CheckInput panic; a refusal is EINVALID naming a field; what
// it accepts holds only the kind's fields, as strings, int64s or (on update) nils, and
// checking the accepted properties again gives the same properties (idempotent).
//
// plan is read two bytes at a time: which field (one of the kind's, or the fuzzed name a),
// and which value (a, b, c, n, x, nil, b as a named string type, an enum value, b padded).
func FuzzCheckInput(f *testing.F) {
	f.Add(uint8(2), true, []byte{1, 0, 3, 1, 4, 7, 5, 7, 6, 2}, "meeting-in-geneva", "Meeting in Geneva", "2018-07-11", int64(0), 0.0)
	f.Add(uint8(2), true, []byte{1, 0, 3, 1, 4, 7, 6, 2, 7, 6}, "meeting", "2018-07", "2018-07-12", int64(1), 0.0)
	f.Add(uint8(2), false, []byte{7, 6}, "x", "2018-07-10", "2018-07-11", int64(0), 0.0)
	f.Add(uint8(1), true, []byte{1, 0, 3, 1, 5, 7, 7, 0, 8, 2}, "unicri", "UNICRI", "1968", int64(2), 0.0)
	f.Add(uint8(1), true, []byte{1, 0, 3, 1, 5, 7, 7, 1}, "unicri", "https://unicri.org", "1968", int64(0), 0.0)
	f.Add(uint8(3), true, []byte{1, 0, 3, 1, 4, 7, 8, 3, 8, 4}, "report", "Report", "2020", int64(12), 12.0)
	f.Add(uint8(3), false, []byte{8, 4}, "report", "Report", "2020", int64(-1), 2.5)
	f.Add(uint8(3), false, []byte{8, 4}, "report", "Report", "2020", int64(0), 1e19)
	f.Add(uint8(3), false, []byte{8, 4}, "report", "Report", "2020", int64(0), math.NaN())
	f.Add(uint8(5), true, []byte{1, 0, 3, 1, 4, 7, 5, 2}, "nl", "Netherlands", "NL", int64(0), 0.0)
	f.Add(uint8(5), true, []byte{1, 0, 3, 1, 4, 7, 5, 8}, "nl", "Netherlands", "nl", int64(0), 0.0)
	f.Add(uint8(4), true, []byte{0, 0, 1, 0, 3, 1, 2, 1}, "topic-a", "PUBLISHED", "", int64(0), 0.0)
	f.Add(uint8(4), false, []byte{0, 0}, "topic-a", "A", "", int64(0), 0.0)
	f.Add(uint8(4), false, []byte{3, 5, 2, 5, 4, 5}, "a", "A", "", int64(0), 0.0)
	f.Add(uint8(6), true, []byte{1, 0, 3, 8}, "ada", "  Ada  ", "", int64(0), 0.0)
	f.Add(uint8(7), true, []byte{1, 0}, "a", "A", "", int64(0), 0.0)
	f.Add(uint8(0), true, []byte{1, 0, 3, 1, 4, 2, 5, 6}, "programme", "Programme", "2019-02-29", int64(0), 0.0)
	f.Fuzz(func(t *testing.T, kindIdx uint8, create bool, plan []byte, a, b, c string, n int64, x float64) {
		kinds := append(append([]pg.Kind{}, pg.Kinds...), "GADGET")
		kind := kinds[int(kindIdx)%len(kinds)]
		specs := kind.Fields()
		fields := map[string]any{}
		for i := 0; i+1 < len(plan); i += 2 {
			name := a
			var spec pg.FieldSpec
			if j := int(plan[i]) % (len(specs) + 1); j < len(specs) {
				spec = specs[j]
				name = spec.Name
			}
			var v any
			switch plan[i+1] % 9 {
			case 0:
				v = a
			case 1:
				v = b
			case 2:
				v = c
			case 3:
				v = n
			case 4:
				v = x
			case 5:
				v = nil
			case 6:
				v = dateLike(b)
			case 7:
				v = b
				if len(spec.Enum) > 0 {
					v = spec.Enum[int(uint64(n)%uint64(len(spec.Enum)))]
				}
			case 8:
				v = " " + b + "\t"
			}
			fields[name] = v
		}
		var existing map[string]any
		if !create {
			existing = map[string]any{"startDate": c, "endDate": c, "status": "PUBLISHED", "slug": "s"}
		}
		in := pg.NodeInput{Kind: kind, Fields: fields}
		out, err := pg.CheckInput(in, create, existing)
		if err != nil {
			if pg.ErrorCode(err) != pg.EINVALID {
				t.Fatalf("CheckInput(%s, %v, create=%v): got %v, want EINVALID", kind, fields, create, err)
			}
			// The field at fault is one the client sent, a required one it left out, or the kind.
			field := pg.ErrorField(err)
			_, sent := fields[field]
			known := field == "kind" && kind.Label() == ""
			for _, s := range specs {
				known = known || s.Name == field
			}
			if !sent && !known {
				t.Fatalf("CheckInput(%s, %v, create=%v): error %v names field %q, neither sent nor the kind's", kind, fields, create, err, field)
			}
			return
		}
		for name, v := range out {
			i := -1
			for j, s := range specs {
				if s.Name == name {
					i = j
				}
			}
			if i < 0 {
				t.Fatalf("CheckInput(%s, %v): output has field %q the kind does not have", kind, fields, name)
			}
			switch v := v.(type) {
			case string:
				if specs[i].Type == pg.FieldInt {
					t.Fatalf("CheckInput(%s, %v): %s is a string %q, want an int64", kind, fields, name, v)
				}
				if v != strings.TrimSpace(v) || v == "" {
					t.Fatalf("CheckInput(%s, %v): %s = %q is not trimmed or is empty", kind, fields, name, v)
				}
				if specs[i].Type == pg.FieldDate {
					if _, err := pg.ParseDate(v); err != nil {
						t.Fatalf("CheckInput(%s, %v): %s = %q is not a date", kind, fields, name, v)
					}
				}
			case int64:
				if specs[i].Type != pg.FieldInt || v < 0 {
					t.Fatalf("CheckInput(%s, %v): %s = %d, want a non-negative number field", kind, fields, name, v)
				}
			case nil:
				if create {
					t.Fatalf("CheckInput(%s, %v): create stores nil for %s", kind, fields, name)
				}
				if specs[i].Required || specs[i].Type == pg.FieldStatus {
					t.Fatalf("CheckInput(%s, %v): removes required field %s", kind, fields, name)
				}
			default:
				t.Fatalf("CheckInput(%s, %v): %s is a %T", kind, fields, name, v)
			}
		}
		if create {
			for _, s := range specs {
				if s.Required && out[s.Name] == nil {
					t.Fatalf("CheckInput(%s, %v): create accepted without required %s", kind, fields, s.Name)
				}
			}
			if out["status"] != "PUBLISHED" && out["status"] != "DRAFT" {
				t.Fatalf("CheckInput(%s, %v): create without a status: %v", kind, fields, out)
			}
		}
		if _, changed := out["id"]; changed && !create {
			t.Fatalf("CheckInput(%s, %v): update changes the id", kind, fields)
		}
		again, err := pg.CheckInput(pg.NodeInput{Kind: kind, Fields: out}, create, existing)
		if err != nil {
			t.Fatalf("CheckInput(%s, %v, create=%v) = %v, which does not validate again: %v", kind, fields, create, out, err)
		}
		if !reflect.DeepEqual(again, out) {
			t.Fatalf("CheckInput(%s, %v, create=%v) = %v, but checking that again gives %v", kind, fields, create, out, again)
		}
	})
}
