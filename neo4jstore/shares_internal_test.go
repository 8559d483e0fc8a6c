package neo4jstore

import (
	"bytes"
	"context"
	"slices"
	"testing"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/seed"
)

// shares reads every SHARES relationship as "a|b ev evp pub pubp prog progp".
func shares(t *testing.T, db *DB) []string {
	t.Helper()
	rows, err := db.read(context.Background(), `MATCH (a)-[s:SHARES]->(b)
RETURN a.id + '|' + b.id + ' ' + toString(coalesce(s.ev, 0)) + ' ' + toString(coalesce(s.evp, 0)) + ' ' +
  toString(coalesce(s.pub, 0)) + ' ' + toString(coalesce(s.pubp, 0)) + ' ' + toString(coalesce(s.prog, 0)) + ' ' +
  toString(coalesce(s.progp, 0)) AS row`, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		s, _ := r.Values[0].(string)
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// TestSharesKeptByEveryWrite: after creates with links, links, unlinks, status changes and
// deletes of events, publications, programmes and organisations, the pair counts the writes
// kept are exactly the ones a rebuild from the model computes.
func TestSharesKeptByEveryWrite(t *testing.T) {
	db, err := Open(testConfig())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	defer db.Close(ctx)
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Reset(ctx) })
	d, err := seed.Load(bytes.NewReader(seed.Centre()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Import(ctx, db.Importer(), d, 5000); err != nil {
		t.Fatal(err)
	}
	seeded := shares(t, db)
	if len(seeded) < 10 {
		t.Fatalf("the centre dataset gives %d pairs: the rebuild did not run", len(seeded))
	}
	c := db.Content()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	check := func(step string) {
		t.Helper()
		kept := shares(t, db)
		must(db.RebuildShares(ctx))
		if rebuilt := shares(t, db); !slices.Equal(kept, rebuilt) {
			t.Fatalf("after %s the kept counts differ from a rebuild:\nkept    %v\nrebuilt %v", step, kept, rebuilt)
		}
	}
	const meeting, unicri, interpol, ghent = "evt-2018-interpol-unicri-global-meeting-singapore", "org-unicri", "org-interpol", "org-ghent-university"
	_, err = c.CreateNode(ctx, pg.NodeInput{Kind: pg.KindEvent, Fields: map[string]any{"slug": "shared-test", "title": "Shared", "kind": "MEETING", "status": "DRAFT"},
		Links: []pg.Relation{{Type: pg.RelOrganised, From: unicri}, {Type: pg.RelOrganised, From: interpol, Role: pg.RoleCoOrganiser}, {Type: pg.RelAttended, From: ghent}}})
	must(err)
	check("a draft event with three organisations")
	_, err = c.UpdateNode(ctx, "evt-shared-test", pg.NodeInput{Fields: map[string]any{"status": "PUBLISHED"}})
	must(err)
	check("publishing it")
	_, err = c.Link(ctx, pg.Relation{Type: pg.RelAttended, From: interpol, To: meeting})
	must(err)
	check("a second relation of one organisation to an event (it shares it once)")
	_, err = c.Link(ctx, pg.Relation{Type: pg.RelOrganised, From: ghent, To: meeting})
	must(err)
	check("a new organiser of a shared event")
	must(c.Unlink(ctx, pg.Relation{Type: pg.RelOrganised, From: unicri, To: meeting}))
	check("an organiser leaving")
	_, err = c.Link(ctx, pg.Relation{Type: pg.RelPublished, From: ghent, To: "pub-f3-freedom-from-fear-magazine"})
	must(err)
	check("a new publisher")
	_, err = c.Link(ctx, pg.Relation{Type: pg.RelRuns, From: ghent, To: "prog-ai-for-safer-children", Role: pg.RolePartner})
	must(err)
	check("a new programme partner")
	_, err = c.UpdateNode(ctx, "pub-f3-freedom-from-fear-magazine", pg.NodeInput{Fields: map[string]any{"status": "DRAFT"}})
	must(err)
	check("unpublishing a publication")
	must(c.DeleteNode(ctx, "evt-shared-test"))
	check("deleting an event")
	must(c.DeleteNode(ctx, ghent))
	check("deleting an organisation")
	must(c.DeleteNodes(ctx, []string{meeting, "prog-ai-for-safer-children"}))
	check("deleting an event and a programme at once")
	if got := shares(t, db); len(got) >= len(seeded) {
		t.Errorf("%d pairs after the deletes, %d before: nothing was taken back", len(got), len(seeded))
	}
}
