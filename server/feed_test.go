package server_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/feed"
	"github.com/unicri/partnergraph/internal/neo4jtest"
	"github.com/unicri/partnergraph/neo4jstore"
	"github.com/unicri/partnergraph/server"
)

// replica serves db as one API process does: its own feed reader, its own subscribers; tune,
// if given, changes the test options first.
func replica(t *testing.T, db *neo4jstore.DB, tune ...func(*server.Options)) *httptest.Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	hub := feed.New(db.Feed(), feed.Options{Poll: 50 * time.Millisecond})
	go hub.Run(ctx)
	o := testOptions(db)
	o.Services.Feed = hub
	for _, f := range tune {
		f(&o)
	}
	srv := httptest.NewServer(server.New(o))
	t.Cleanup(func() { hub.Shutdown(); srv.Close(); cancel() })
	return srv
}

// event is one change a subscription delivered, or the error that ended it.
type event struct {
	Cursor, Operation, ID, Kind string
	Errors                      []map[string]any
}

const changeFields = `cursor operation id kind`

// wsSubscribe subscribes over WebSocket in the graphql-transport-ws protocol, authenticating
// in the connection_init payload; events arrive on the channel until the subscription ends.
func wsSubscribe(t *testing.T, srv *httptest.Server, key, args string) (<-chan event, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	send := func(v any) {
		b, _ := json.Marshal(v)
		if err := c.Write(ctx, websocket.MessageText, b); err != nil {
			t.Fatalf("write: %v", err)
		}
	}
	init := map[string]any{"type": "connection_init"}
	if key != "" {
		init["payload"] = map[string]any{"Authorization": "Bearer " + key}
	}
	send(init)
	if _, b, err := c.Read(ctx); err != nil || !bytes.Contains(b, []byte("connection_ack")) {
		t.Fatalf("connection_init: %s %v", b, err)
	}
	send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query": "subscription { changes" + args + " { " + changeFields + " } }"}})
	out := make(chan event, 1000)
	go func() {
		defer close(out)
		for {
			_, b, err := c.Read(ctx)
			if err != nil {
				return
			}
			var m struct {
				Type    string
				Payload struct {
					Data   struct{ Changes event }
					Errors []map[string]any
				}
			}
			_ = json.Unmarshal(b, &m)
			switch m.Type {
			case "next":
				e := m.Payload.Data.Changes
				e.Errors = m.Payload.Errors
				out <- e
			case "error": // the payload is the list of errors
				var e struct{ Payload []map[string]any }
				if json.Unmarshal(b, &e) != nil || len(e.Payload) == 0 {
					e.Payload = []map[string]any{{"message": string(b)}}
				}
				out <- event{Errors: e.Payload}
				return
			case "complete":
				return
			case "ping":
				send(map[string]any{"type": "pong"})
			}
		}
	}()
	return out, func() { cancel(); _ = c.CloseNow() }
}

// sseSubscribe subscribes over Server-Sent Events (graphql-sse, distinct connections).
func sseSubscribe(t *testing.T, srv *httptest.Server, key, args string) (<-chan event, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	body, _ := json.Marshal(map[string]any{"query": "subscription { changes" + args + " { " + changeFields + " } }"})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("SSE: %v", err)
	}
	out := make(chan event, 1000)
	go func() {
		defer close(out)
		defer res.Body.Close()
		lines := bufio.NewScanner(res.Body)
		for lines.Scan() {
			data, ok := strings.CutPrefix(lines.Text(), "data: ")
			if !ok {
				continue
			}
			var m struct {
				Data   struct{ Changes event }
				Errors []map[string]any
			}
			if json.Unmarshal([]byte(data), &m) == nil {
				e := m.Data.Changes
				e.Errors = m.Errors
				out <- e
			}
		}
	}()
	return out, cancel
}

// next waits for the next change that passes keep.
func next(t *testing.T, ch <-chan event, within time.Duration, keep func(event) bool) (event, bool) {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case e, ok := <-ch:
			if !ok {
				return event{}, false
			}
			if len(e.Errors) > 0 {
				t.Fatalf("the subscription failed: %v", e.Errors)
			}
			if keep(e) {
				return e, true
			}
		case <-deadline:
			return event{}, false
		}
	}
}

func about(id string) func(event) bool { return func(e event) bool { return e.ID == id } }

func TestASubscriberOnOneReplicaSeesAMutationMadeThroughAnother(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.MustSeedCentre(t, db)
	a, b := replica(t, db), replica(t, db)
	for _, tr := range []struct {
		name      string
		subscribe func(*testing.T, *httptest.Server, string, string) (<-chan event, func())
	}{{"websocket", wsSubscribe}, {"server-sent events", sseSubscribe}} {
		t.Run(tr.name, func(t *testing.T) {
			ch, stop := tr.subscribe(t, b, analystKey, "")
			defer stop()
			time.Sleep(200 * time.Millisecond) // the subscription is open (it streams from now)
			slug := "replica-" + strings.ReplaceAll(tr.name, " ", "-")
			post(t, a, editorKey, `mutation($slug: String!) { createTopic(input: {slug: $slug, name: "Replica topic"}) { id } }`,
				map[string]any{"slug": slug}).mustData(t)
			e, ok := next(t, ch, 10*time.Second, about("topic-"+slug))
			if !ok || e.Operation != "CREATED" || e.Kind != "TOPIC" {
				t.Fatalf("replica B's subscriber: got %+v (%v), want topic-%s CREATED", e, ok, slug)
			}
		})
	}
}

func TestAResumedSubscriptionGetsEveryMissedChangeOnceInOrder(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.MustSeedCentre(t, db)
	srv := replica(t, db)
	post(t, srv, editorKey, `mutation { createTopic(input: {slug: "resume-start", name: "Resume start"}) { id } }`, nil).mustData(t)
	ch, stop := sseSubscribe(t, srv, analystKey, "")
	first, ok := event{}, false
	defer stop()
	time.Sleep(200 * time.Millisecond)
	post(t, srv, editorKey, `mutation { updateTopic(id: "topic-resume-start", input: {name: "Resume"}) { id } }`, nil).mustData(t)
	if first, ok = next(t, ch, 10*time.Second, about("topic-resume-start")); !ok {
		t.Fatal("no first change")
	}
	stop() // the client goes away; 50 changes happen meanwhile
	var want []string
	for i := range 50 {
		slug := fmt.Sprintf("resume-%02d", i)
		post(t, srv, editorKey, `mutation($slug: String!) { createTopic(input: {slug: $slug, name: "Missed"}) { id } }`, map[string]any{"slug": slug}).mustData(t)
		want = append(want, "topic-"+slug)
	}
	ch, stop = wsSubscribe(t, srv, analystKey, fmt.Sprintf(`(after: %q, kinds: [TOPIC])`, first.Cursor))
	defer stop()
	var got []string
	seen := map[string]bool{}
	for len(got) < 50 {
		e, ok := next(t, ch, 10*time.Second, func(event) bool { return true })
		if !ok {
			t.Fatalf("resumed: got %d changes, want 50: %v", len(got), got)
		}
		if seen[e.Cursor] {
			t.Fatalf("change %s delivered twice", e.Cursor)
		}
		seen[e.Cursor] = true
		got = append(got, e.ID)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("resumed changes out of order:\ngot  %v\nwant %v", got, want)
	}
	// Polling from the same cursor gives the same 50.
	d := post(t, srv, analystKey, `query($after: String) { changes(after: $after, kinds: [TOPIC], first: 60) { nodes { id } hasNextPage } }`,
		map[string]any{"after": first.Cursor}).mustData(t)
	if ids := strs(get(d, "changes", "nodes"), "id"); strings.Join(ids, ",") != strings.Join(want, ",") {
		t.Errorf("changes(after:) gave %v", ids)
	}
}

func TestARolledBackMutationRecordsNoChange(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.MustSeedCentre(t, db)
	srv := replica(t, db)
	before := post(t, srv, analystKey, `{ changes(first: 1) { endCursor } }`, nil).mustData(t)
	// The first link is written inside the transaction before the second fails: all rolls back.
	post(t, srv, editorKey, `mutation {
	  createEvent(input: {slug: "rolled-back", title: "Rolled back", kind: WORKSHOP},
	              links: [{type: ORGANISED, from: "org-unicri", role: ORGANISER}, {type: HELD_IN, to: "place-atlantis"}]) { id }
	}`, nil).wantError(t, "NOT_FOUND", "links[1].to")
	post(t, srv, editorKey, `mutation { createTopic(input: {slug: "after-rollback", name: "After"}) { id } }`, nil).mustData(t)
	d := post(t, srv, analystKey, `query($after: String) { changes(after: $after, first: 100) { nodes { id operation relation other } } }`,
		map[string]any{"after": get(before, "changes", "endCursor")}).mustData(t)
	nodes := get(d, "changes", "nodes").([]any)
	if len(nodes) != 1 || get(nodes, 0, "id") != "topic-after-rollback" {
		t.Errorf("changes after the rolled-back mutation: got %v, want only topic-after-rollback", nodes)
	}
}

func TestAnAnonymousSubscriberLearnsOfADraftOnlyWhenItIsPublished(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.MustSeedCentre(t, db)
	srv := replica(t, db)
	anon, stop := sseSubscribe(t, srv, "", "(ids: [\"topic-secret-plan\"])")
	defer stop()
	analyst, stopAnalyst := wsSubscribe(t, srv, analystKey, "(ids: [\"topic-secret-plan\"])")
	defer stopAnalyst()
	time.Sleep(200 * time.Millisecond)
	post(t, srv, editorKey, `mutation { createTopic(input: {slug: "secret-plan", name: "Secret plan", status: DRAFT}) { id } }`, nil).mustData(t)
	post(t, srv, editorKey, `mutation { updateTopic(id: "topic-secret-plan", input: {name: "Still secret"}) { id } }`, nil).mustData(t)
	post(t, srv, editorKey, `mutation { updateTopic(id: "topic-secret-plan", input: {status: PUBLISHED}) { id } }`, nil).mustData(t)
	post(t, srv, editorKey, `mutation { updateTopic(id: "topic-secret-plan", input: {status: DRAFT}) { id } }`, nil).mustData(t)
	ops := func(ch <-chan event, n int) []string {
		var out []string
		for len(out) < n {
			e, ok := next(t, ch, 10*time.Second, func(event) bool { return true })
			if !ok {
				break
			}
			out = append(out, e.Operation)
		}
		return out
	}
	// The analyst sees the draft's whole life; the public its arrival and its removal only.
	if got := strings.Join(ops(analyst, 4), ","); got != "CREATED,UPDATED,PUBLISHED,UNPUBLISHED" {
		t.Errorf("the analyst's changes: %s", got)
	}
	if got := strings.Join(ops(anon, 2), ","); got != "CREATED,DELETED" {
		t.Errorf("the anonymous subscriber's changes: %s, want CREATED,DELETED (publish and unpublish)", got)
	}
	if e, ok := next(t, anon, 500*time.Millisecond, func(event) bool { return true }); ok {
		t.Errorf("the anonymous subscriber learnt more: %+v", e)
	}
	// Polling, the same rule: nothing of the draft's own edits.
	d := post(t, srv, "", `{ changes(ids: ["topic-secret-plan"]) { nodes { operation principal } } }`, nil).mustData(t)
	if got := strs(get(d, "changes", "nodes"), "operation"); strings.Join(got, ",") != "CREATED,DELETED" {
		t.Errorf("anonymous changes(): %v", got)
	}
	if p := get(d, "changes", "nodes", 0, "principal"); p != nil {
		t.Errorf("an anonymous caller learnt who made a change: %v", p)
	}
}

func TestSubscriptionsAreCappedPerClient(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.MustSeedCentre(t, db)
	srv := replica(t, db, func(o *server.Options) { o.Limits.MaxSubscriptionsPerClient = 2 })
	// Three at once, two over WebSocket and one over SSE: whichever comes third is refused.
	refusals := make(chan event, 3)
	for i := range 3 {
		subscribe := wsSubscribe
		if i == 2 {
			subscribe = sseSubscribe
		}
		ch, stop := subscribe(t, srv, analystKey, "")
		defer stop()
		go func() {
			for e := range ch {
				refusals <- e
			}
		}()
	}
	select {
	case e := <-refusals:
		if len(e.Errors) == 0 || fmt.Sprint(e.Errors[0]["extensions"]) != "map[code:SERVICE_BUSY]" {
			t.Errorf("a third subscription of one client: got %+v, want SERVICE_BUSY", e)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no subscription of three was refused with a cap of two")
	}
	select {
	case e := <-refusals:
		t.Errorf("a second of three subscriptions ended: %+v", e)
	case <-time.After(time.Second):
	}
}

func TestAdminsManageWebhooks(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.MustSeedCentre(t, db)
	o := testOptions(db)
	const adminKey = "test-admin-key-0123456789abcdef"
	o.APIKeys = append(o.APIKeys, server.APIKey{Name: "admin", SHA256: sha256.Sum256([]byte(adminKey)), Access: pg.AccessAdmin})
	o.Services.Webhooks = db.Webhooks()
	srv := serve(t, o)
	const register = `mutation { registerWebhook(input: {url: "https://hooks.example.org/purge", kinds: [EVENT]}) {
	  secret webhook { id url kinds drafts active failures } } }`
	post(t, srv, editorKey, register, nil).wantError(t, "FORBIDDEN", "")
	post(t, srv, adminKey, `mutation { registerWebhook(input: {url: "ftp://example.org"}) { secret } }`, nil).wantError(t, "BAD_USER_INPUT", "url")
	d := post(t, srv, adminKey, register, nil).mustData(t)
	if s, _ := get(d, "registerWebhook", "secret").(string); !strings.HasPrefix(s, "whsec_") {
		t.Errorf("the secret: %q", s)
	}
	id := get(d, "registerWebhook", "webhook", "id")
	d = post(t, srv, adminKey, `{ webhooks { id url active deliveries { ok } } }`, nil).mustData(t)
	if get(d, "webhooks", 0, "id") != id || get(d, "webhooks", 0, "url") != "https://hooks.example.org/purge" {
		t.Errorf("webhooks: %v", d)
	}
	post(t, srv, adminKey, `mutation($id: ID!) { replayWebhook(id: $id) { active cursor } }`, map[string]any{"id": id}).mustData(t)
	post(t, srv, adminKey, `mutation($id: ID!) { deleteWebhook(id: $id) { id } }`, map[string]any{"id": id}).mustData(t)
	post(t, srv, adminKey, `mutation($id: ID!) { deleteWebhook(id: $id) { id } }`, map[string]any{"id": id}).wantError(t, "NOT_FOUND", "id")
}

func TestAQueryOverASubscriptionTransportKeepsTheRequestDeadline(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.MustSeedCentre(t, db)
	o := testOptions(db)
	o.Limits.Timeout = time.Nanosecond
	srv := serve(t, o)
	body, _ := json.Marshal(map[string]any{"query": `{ topics(first: 1) { nodes { id } } }`})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if !strings.Contains(string(raw), "SERVICE_BUSY") || strings.Contains(string(raw), `"nodes"`) {
		t.Errorf("a query over SSE on a server with a 1 ns deadline: %s", raw)
	}
}

func TestAnExpiredTokenEndsItsSubscriptionWithAReason(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.MustSeedCentre(t, db)
	jwt := server.JWTOptions{HS256Secret: []byte(strings.Repeat("s", 32))}
	auth, err := server.NewAuthenticator(nil, jwt)
	if err != nil {
		t.Fatal(err)
	}
	srv := replica(t, db, func(o *server.Options) { o.Auth = auth })
	token, err := server.MintToken(jwt, pg.AccessAnalyst, "short-lived", 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	ch, stop := sseSubscribe(t, srv, token, "")
	defer stop()
	select {
	case e, ok := <-ch:
		if !ok || len(e.Errors) == 0 || e.Errors[0]["extensions"].(map[string]any)["code"] != "UNAUTHENTICATED" {
			t.Fatalf("the subscription of an expiring token: got %+v (open %v), want an UNAUTHENTICATED error", e, ok)
		}
		if msg, _ := e.Errors[0]["message"].(string); !strings.Contains(msg, "expired") {
			t.Errorf("the reason: %q", msg)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the subscription outlived its token")
	}
}
