package partnergraph

import (
	"context"
	"encoding/base64"
	"slices"
	"strconv"
	"time"
)

// ChangeOp is what a change did.
type ChangeOp string

const (
	OpCreated     ChangeOp = "CREATED"
	OpUpdated     ChangeOp = "UPDATED"
	OpDeleted     ChangeOp = "DELETED"
	OpLinked      ChangeOp = "LINKED"
	OpUnlinked    ChangeOp = "UNLINKED"
	OpPublished   ChangeOp = "PUBLISHED"
	OpUnpublished ChangeOp = "UNPUBLISHED"
)

// ChangeOps lists the operations.
var ChangeOps = []ChangeOp{OpCreated, OpUpdated, OpDeleted, OpLinked, OpUnlinked, OpPublished, OpUnpublished}

// Change is one record of the change feed: one entity or relation a committed mutation touched.
// Seq grows with commit order: the transaction's content version times MaxChangesPerWrite,
// plus the change's place in it.
type Change struct {
	Seq       int64
	At        time.Time
	Op        ChangeOp
	ID        string
	Kind      Kind
	Fields    []string // the properties an update wrote
	Relation  RelType  // for LINKED and UNLINKED: the relation, from ID to Other
	Other     string
	OtherKind Kind
	Principal string // who made it (Caller.Subject)
	// Public is whether callers who see published content only may learn of it, and PublicOp
	// what it is to them: publishing is an arrival (CREATED), unpublishing a removal (DELETED).
	Public   bool
	PublicOp ChangeOp
	// Ended, on the last event of a subscription the server ends (the subscriber fell behind,
	// its token expired), says why; the event has nothing else.
	Ended error
}

// MaxChangesPerWrite bounds the changes one transaction records.
const MaxChangesPerWrite = 100000

// ChangeFilter selects changes: after a cursor, of some kinds, ids and operations (all optional;
// an id matches either end of a relation).
type ChangeFilter struct {
	After int64
	Kinds []Kind
	IDs   []string
	Ops   []ChangeOp
}

// MaxChangeFilterValues bounds each list of a change filter.
const MaxChangeFilterValues = 100

// Check refuses oversized filters.
func (f ChangeFilter) Check() error {
	for name, n := range map[string]int{"kinds": len(f.Kinds), "ids": len(f.IDs), "operations": len(f.Ops)} {
		if n > MaxChangeFilterValues {
			return FieldErrorf(EINVALID, name, "give at most %d %s", MaxChangeFilterValues, name)
		}
	}
	return nil
}

// For returns the change as viewer v may learn of it, or false if v may not.
func (c Change) For(v Viewer) (Change, bool) {
	if v.Drafts {
		return c, true
	}
	if !c.Public {
		return Change{}, false
	}
	c.Op, c.Principal = c.PublicOp, ""
	return c, true
}

// Matches reports whether c (as its viewer sees it) passes f.
func (f ChangeFilter) Matches(c Change) bool {
	return c.Seq > f.After &&
		(len(f.Kinds) == 0 || slices.Contains(f.Kinds, c.Kind) || c.OtherKind != "" && slices.Contains(f.Kinds, c.OtherKind)) &&
		(len(f.IDs) == 0 || slices.Contains(f.IDs, c.ID) || c.Other != "" && slices.Contains(f.IDs, c.Other)) &&
		(len(f.Ops) == 0 || slices.Contains(f.Ops, c.Op))
}

// ChangeCursor encodes a position in the feed.
func ChangeCursor(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("c:" + strconv.FormatInt(seq, 10)))
}

// ParseChangeCursor decodes a cursor of ChangeCursor. Returns EINVALID.
func ParseChangeCursor(s string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil && len(b) > 2 && string(b[:2]) == "c:" {
		if n, err := strconv.ParseInt(string(b[2:]), 10, 64); err == nil && n >= 0 {
			return n, nil
		}
	}
	return 0, FieldErrorf(EINVALID, "after", "not a change cursor")
}

// ChangeSource is where the feed is stored.
type ChangeSource interface {
	// ChangesAfter returns up to limit changes with Seq > after, in order. Returns EUNAVAILABLE.
	ChangesAfter(ctx context.Context, after int64, limit int) ([]Change, error)
	// FeedHead is the Seq of the newest change (0 for none).
	FeedHead(ctx context.Context) (int64, error)
	// PruneChanges deletes up to limit changes older than before; it returns how many.
	PruneChanges(ctx context.Context, before time.Time, limit int) (int, error)
}

// FeedService reads the change feed for a viewer.
type FeedService interface {
	// Changes are the changes v may see that pass f, up to first, oldest first. Returns
	// EINVALID, EUNAVAILABLE.
	Changes(ctx context.Context, v Viewer, f ChangeFilter, first int) (ChangePage, error)
	// Subscribe replays the changes after f.After (from the newest when f.After < 0) and
	// then streams new ones, until ctx ends or the subscriber falls behind; then the channel
	// closes and Err says why (nil when ctx ended).
	Subscribe(ctx context.Context, v Viewer, f ChangeFilter) (*Subscription, error)
}

// ChangePage is a page of the feed: its changes, the position it read up to (where the next
// page starts, even when every change it read was filtered out) and whether more follow.
type ChangePage struct {
	Changes []Change
	End     int64
	More    bool
}

// Subscription is a stream of changes.
type Subscription struct {
	C   <-chan Change
	Err func() error
}
