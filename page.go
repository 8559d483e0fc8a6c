package partnergraph

import (
	"encoding/base64"
	"encoding/json"
)

// Page sizes: lists return DefaultPageSize items unless asked, and never more than MaxPageSize.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// PageArgs are Relay pagination arguments: First/After page forward, Last/Before backward.
type PageArgs struct {
	First  *int
	After  *string
	Last   *int
	Before *string
}

// Window is the validated form of PageArgs: Limit items after (or before, if Backward) Cursor.
type Window struct {
	Limit    int
	Backward bool
	Cursor   *Cursor
}

// Validate checks the arguments and returns the window they ask for. Returns EINVALID.
func (p PageArgs) Validate() (Window, error) {
	w := Window{Limit: DefaultPageSize}
	if p.First != nil && p.Last != nil {
		return w, FieldErrorf(EINVALID, "first", "give first or last, not both")
	}
	if p.After != nil && p.Before != nil {
		return w, FieldErrorf(EINVALID, "after", "give after or before, not both")
	}
	if p.Last != nil || (p.Before != nil && p.First == nil) {
		w.Backward = true
	}
	for name, n := range map[string]*int{"first": p.First, "last": p.Last} {
		if n == nil {
			continue
		}
		if *n < 0 || *n > MaxPageSize {
			return w, FieldErrorf(EINVALID, name, "%s must be between 0 and %d", name, MaxPageSize)
		}
		w.Limit = *n
	}
	raw, field := p.After, "after"
	if w.Backward {
		raw, field = p.Before, "before"
		if p.After != nil {
			return w, FieldErrorf(EINVALID, "after", "after needs first: page forward with first and after")
		}
	} else if p.Before != nil {
		return w, FieldErrorf(EINVALID, "before", "before needs last: page backward with last and before")
	}
	if raw != nil {
		c, err := DecodeCursor(*raw)
		if err != nil {
			return w, FieldErrorf(EINVALID, field, "%s is not a cursor this API gave out", field)
		}
		w.Cursor = &c
	}
	return w, nil
}

// Cursor is a keyset position: the sort key and id of the last item seen.
type Cursor struct {
	Key any    `json:"k"`
	ID  string `json:"i"`
}

// Encode returns the cursor's opaque string form.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor parses a string made by Cursor.Encode. Returns EINVALID.
func DecodeCursor(s string) (Cursor, error) {
	var c Cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil || c.ID == "" {
		return c, Errorf(EINVALID, "bad cursor")
	}
	if f, ok := c.Key.(float64); ok && f == float64(int64(f)) {
		c.Key = int64(f) // counts and years are integers in the database
	}
	switch c.Key.(type) {
	case string, int64, float64, nil: // names and dates, counts, search scores
	default:
		return c, Errorf(EINVALID, "bad cursor")
	}
	return c, nil
}

// Page is one page of a list, with the cursor of each item.
type Page[T any] struct {
	Items           []T
	Cursors         []string
	HasNextPage     bool
	HasPreviousPage bool
}
