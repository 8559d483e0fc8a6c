package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/unicri/partnergraph/internal/neo4jtest"
	"github.com/unicri/partnergraph/neo4jstore"
	"github.com/unicri/partnergraph/server"
)

// newCachedAPI serves the API with a response cache over db.
func newCachedAPI(t *testing.T, db *neo4jstore.DB, poll time.Duration) (*httptest.Server, *server.Cache) {
	t.Helper()
	cache := server.NewCache(server.CacheOptions{Versions: db, Poll: poll})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go cache.Run(ctx)
	o := testOptions(db)
	o.Cache = cache
	return serve(t, o), cache
}

type getResult struct {
	status int
	body   string
	header http.Header
}

func getQuery(t *testing.T, srv *httptest.Server, q string, hdr map[string]string) getResult {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/graphql?query="+url.QueryEscape(q), nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return getResult{res.StatusCode, string(b), res.Header}
}

func waitUntil(t *testing.T, limit time.Duration, ok func() bool) bool {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

const topicQuery = `{ topic(slug: "deepfakes") { name } }`

func TestCacheServesRepeatsAndNeverStaleAfterAMutation(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.MustSeedCentre(t, db)
	srv, cache := newCachedAPI(t, db, time.Hour) // no polling: only this instance's mutation can refresh
	cache.Refresh(t.Context())

	first := getQuery(t, srv, topicQuery, nil)
	second := getQuery(t, srv, "{topic(slug:\"deepfakes\"){\n  name\n}}", nil) // same tokens
	if first.header.Get("X-Cache") != "miss" || second.header.Get("X-Cache") != "hit" || first.body != second.body {
		t.Fatalf("repeat: got %s then %s", first.header.Get("X-Cache"), second.header.Get("X-Cache"))
	}
	if cc := second.header.Get("Cache-Control"); !strings.HasPrefix(cc, "public, max-age=") || second.header.Get("ETag") == "" {
		t.Errorf("anonymous GET: Cache-Control %q, ETag %q", cc, second.header.Get("ETag"))
	}
	if r := getQuery(t, srv, topicQuery, map[string]string{"If-None-Match": second.header.Get("ETag")}); r.status != http.StatusNotModified {
		t.Errorf("If-None-Match with the ETag: got %d, want 304", r.status)
	}
	if r := getQuery(t, srv, topicQuery, map[string]string{"Cache-Control": "no-cache"}); r.header.Get("X-Cache") != "" {
		t.Errorf("no-cache request went through the cache: %v", r.header.Get("X-Cache"))
	}
	// A change through this instance: the next read is fresh.
	post(t, srv, editorKey, `mutation { updateTopic(id: "topic-deepfakes", input: {name: "Deepfakes (renamed)"}) { name } }`, nil).mustData(t)
	if r := getQuery(t, srv, topicQuery, nil); !strings.Contains(r.body, "Deepfakes (renamed)") {
		t.Errorf("read after a mutation served stale data: %s (X-Cache %s)", r.body, r.header.Get("X-Cache"))
	}
	// Errors are not cached; callers with other access do not share entries.
	bad := `{ topic(id: "x", slug: "y") { name } }`
	getQuery(t, srv, bad, nil)
	if r := getQuery(t, srv, bad, nil); r.header.Get("X-Cache") != "miss" {
		t.Errorf("an error answer was served from the cache")
	}
	post(t, srv, editorKey, `mutation { createTopic(input: {slug: "hidden", name: "Hidden", status: DRAFT}) { id } }`, nil).mustData(t)
	const hidden = `{ topic(slug: "hidden") { name } }`
	analyst := post(t, srv, analystKey, hidden, nil)
	anon := getQuery(t, srv, hidden, nil)
	if get(analyst.mustData(t), "topic", "name") != "Hidden" || !strings.Contains(anon.body, `"topic":null`) {
		t.Errorf("analyst %s, anonymous %s: the draft must be visible to the analyst only", analyst.raw, anon.body)
	}
	if analystGET := getQuery(t, srv, topicQuery, map[string]string{"Authorization": "Bearer " + analystKey}); analystGET.header.Get("Cache-Control") != "private, no-store" {
		t.Errorf("analyst answers must not be stored by shared caches: %q", analystGET.header.Get("Cache-Control"))
	}
	if hits, misses := cache.Stats(); hits < 2 || misses < 3 {
		t.Errorf("cache stats: %d hits, %d misses", hits, misses)
	}
}

func TestTwoInstancesSeeEachOthersChangesWithinThePollWindow(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.MustSeedCentre(t, db)
	const poll = 200 * time.Millisecond
	a, _ := newCachedAPI(t, db, poll)
	b, _ := newCachedAPI(t, db, poll)
	waitUntil(t, 2*time.Second, func() bool { return getQuery(t, b, topicQuery, nil).header.Get("X-Cache") == "hit" })
	if r := getQuery(t, b, topicQuery, nil); r.header.Get("X-Cache") != "hit" {
		t.Fatalf("instance B does not cache: %v", r.header)
	}
	changed := time.Now()
	post(t, a, editorKey, `mutation { updateTopic(id: "topic-deepfakes", input: {name: "Changed on A"}) { name } }`, nil).mustData(t)
	fresh := waitUntil(t, 5*time.Second, func() bool { return strings.Contains(getQuery(t, b, topicQuery, nil).body, "Changed on A") })
	lag := time.Since(changed)
	if !fresh {
		t.Fatalf("instance B still serves the old answer 5s after the change on A")
	}
	if lag > 2*poll+500*time.Millisecond {
		t.Errorf("instance B caught up after %s, want within about one poll (%s)", lag, poll)
	}
}
