package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/internal/neo4jtest"
	"github.com/unicri/partnergraph/webhook"
)

// receiver is a webhook endpoint that fails its first attempts, checks every signature and
// notes any delivery that overlaps another.
type receiver struct {
	t          *testing.T
	verify     *standardwebhooks.Webhook
	failFirst  int32
	attempts   atomic.Int32
	inFlight   atomic.Int32
	overlapped atomic.Bool
	mu         sync.Mutex
	ids        []string // the changes received, in order, once each
	seen       map[string]bool
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if r.inFlight.Add(1) > 1 {
		r.overlapped.Store(true)
	}
	defer r.inFlight.Add(-1)
	time.Sleep(20 * time.Millisecond) // long enough for a second replica to overlap, were it let
	body, _ := io.ReadAll(req.Body)
	if err := r.verify.Verify(body, req.Header); err != nil {
		r.t.Errorf("a delivery with a bad signature: %v", err)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if r.attempts.Add(1) <= r.failFirst {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	var p struct{ Data struct{ ID string } }
	_ = json.Unmarshal(body, &p)
	r.mu.Lock()
	defer r.mu.Unlock()
	if msg := req.Header.Get("webhook-id"); !r.seen[msg] {
		r.seen[msg] = true
		r.ids = append(r.ids, p.Data.ID)
	}
	w.WriteHeader(http.StatusNoContent)
}

func TestTwoReplicasDeliverEveryChangeInOrderOnceAtATimeThroughFailures(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.MustSeedCentre(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hooks := db.Webhooks()
	rcv := &receiver{t: t, failFirst: 3, seen: map[string]bool{}}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	w, err := hooks.RegisterWebhook(ctx, pg.WebhookInput{URL: srv.URL, Kinds: []pg.Kind{pg.KindTopic}})
	if err != nil {
		t.Fatal(err)
	}
	if rcv.verify, err = standardwebhooks.NewWebhook(w.Secret); err != nil {
		t.Fatal(err)
	}
	// A draft and an organisation are not for this webhook; ten topics are.
	if _, err := db.Content().CreateNode(ctx, pg.NodeInput{Kind: pg.KindTopic, Fields: map[string]any{"slug": "hook-draft", "name": "Draft", "status": "DRAFT"}}); err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range 10 {
		slug := "hook-" + string(rune('a'+i))
		if _, err := db.Content().CreateNode(ctx, pg.NodeInput{Kind: pg.KindTopic, Fields: map[string]any{"slug": slug, "name": "Hook"}}); err != nil {
			t.Fatal(err)
		}
		want = append(want, "topic-"+slug)
	}
	for range 2 { // two replicas
		d := webhook.New(hooks, db.Feed(), webhook.Options{Poll: 20 * time.Millisecond, Backoff: 50 * time.Millisecond, Timeout: 2 * time.Second})
		go d.Run(ctx)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		rcv.mu.Lock()
		n := len(rcv.ids)
		rcv.mu.Unlock()
		if n >= len(want) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if len(rcv.ids) != len(want) {
		t.Fatalf("received %v, want %v", rcv.ids, want)
	}
	for i := range want {
		if rcv.ids[i] != want[i] {
			t.Fatalf("received out of order: %v, want %v", rcv.ids, want)
		}
	}
	if rcv.overlapped.Load() {
		t.Error("two deliveries to the endpoint overlapped: the replicas did not take turns")
	}
	log, err := hooks.WebhookDeliveries(context.Background(), w.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, d := range log {
		if !d.OK {
			failed++
		}
	}
	if failed != 3 || len(log) != 13 {
		t.Errorf("the delivery log: %d attempts, %d failed; want 13 and 3", len(log), failed)
	}
}
