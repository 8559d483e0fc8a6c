// Package webhook delivers the change feed to the registered webhooks: one signed POST per
// change (Standard Webhooks headers), in order per endpoint, at least once, retried with
// exponential backoff for RetryPeriod, then the endpoint is disabled until an admin replays it.
// Every replica runs a dispatcher; a lease in Neo4j lets exactly one at a time deliver to an
// endpoint, and each attempt starts only with time left on the lease.
package webhook

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	pg "github.com/unicri/partnergraph"
)

// Store is where webhooks, their leases and their delivery log are kept (neo4jstore.Webhooks).
type Store interface {
	// Due are the active webhooks whose next attempt is due and whose lease is free or owner's.
	Due(ctx context.Context, owner string) ([]pg.Webhook, error)
	// Lease takes or renews a webhook's lease; nil when another holds it.
	Lease(ctx context.Context, id, owner string, ttl time.Duration) (*pg.Webhook, error)
	Release(ctx context.Context, id, owner string) error
	// Record logs an attempt (nil: the change was filtered out) and moves the webhook on, if
	// owner still holds the lease; it reports whether it did.
	Record(ctx context.Context, id, owner string, seq int64, d *pg.WebhookDelivery, retryIn time.Duration, disable string) (bool, error)
	// FailingSince is when the current run of failures began.
	FailingSince(ctx context.Context, id string) (time.Time, error)
}

// Options tune a dispatcher; zero values take the defaults.
type Options struct {
	Poll        time.Duration // how often due webhooks are looked for (default 500 ms)
	Timeout     time.Duration // per attempt (default 10 s)
	Lease       time.Duration // how long a replica holds an endpoint (default 30 s, over 2 Timeouts)
	Backoff     time.Duration // the first retry's wait, doubling to at most an hour (default 1 s)
	RetryPeriod time.Duration // how long a change is retried before the endpoint is disabled (default 24 h)
	Client      *http.Client
	// OnAttempt, if set, is told of each attempt's outcome.
	OnAttempt func(ok bool)
}

// Dispatcher delivers to webhooks from one process.
type Dispatcher struct {
	store Store
	feed  pg.ChangeSource
	o     Options
	owner string // this process, in the leases
}

// New returns a dispatcher; Run starts it.
func New(store Store, feed pg.ChangeSource, o Options) *Dispatcher {
	if o.Poll <= 0 {
		o.Poll = 500 * time.Millisecond
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Lease <= 0 {
		o.Lease = 3 * o.Timeout
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.RetryPeriod <= 0 {
		o.RetryPeriod = 24 * time.Hour
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: o.Timeout, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // a redirect is an answer, not a delivery
		}}
	}
	return &Dispatcher{store: store, feed: feed, o: o, owner: "dispatcher-" + rand.Text()[:12]}
}

// Run delivers until ctx ends.
func (d *Dispatcher) Run(ctx context.Context) {
	tick := time.NewTicker(d.o.Poll)
	defer tick.Stop()
	for {
		if due, err := d.store.Due(ctx, d.owner); err == nil {
			for _, w := range due {
				d.serve(ctx, w.ID)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// batch is how many changes one turn at an endpoint delivers before it looks at the others.
const batch = 100

// serve takes the endpoint's lease and delivers its pending changes, in order, until it has
// none, one fails, or the turn's batch is done.
func (d *Dispatcher) serve(ctx context.Context, id string) {
	defer func() { _ = d.store.Release(context.WithoutCancel(ctx), id, d.owner) }()
	for delivered := 0; delivered < batch; {
		w, err := d.store.Lease(ctx, id, d.owner, d.o.Lease) // renewed before every attempt
		if err != nil || w == nil {
			return
		}
		f, v := w.Filter()
		changes, err := d.feed.ChangesAfter(ctx, w.Cursor, batch)
		if err != nil || len(changes) == 0 {
			return
		}
		for _, c := range changes {
			vc, ok := c.For(v)
			if !ok || !f.Matches(vc) {
				if held, err := d.store.Record(ctx, id, d.owner, c.Seq, nil, 0, ""); err != nil || !held {
					return
				}
				continue
			}
			res := d.attempt(ctx, *w, vc)
			if d.o.OnAttempt != nil {
				d.o.OnAttempt(res.OK)
			}
			var retryIn time.Duration
			disable := ""
			if !res.OK {
				retryIn = min(d.o.Backoff<<min(w.Failures, 20), time.Hour)
				if since, err := d.store.FailingSince(ctx, id); err == nil && !since.IsZero() && time.Since(since) > d.o.RetryPeriod {
					disable = fmt.Sprintf("change %s failed for longer than %s: %s", pg.ChangeCursor(c.Seq), d.o.RetryPeriod, res.Error)
				}
			}
			if held, err := d.store.Record(ctx, id, d.owner, c.Seq, &res, retryIn, disable); err != nil || !held || !res.OK {
				return
			}
			delivered++
			break // renew the lease before the next attempt
		}
	}
}

// payload is what a delivery posts.
type payload struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      change    `json:"data"`
}

type change struct {
	Cursor    string   `json:"cursor"`
	Operation string   `json:"operation"`
	ID        string   `json:"id"`
	Kind      string   `json:"kind"`
	Fields    []string `json:"fields"`
	Relation  string   `json:"relation,omitempty"`
	Other     string   `json:"other,omitempty"`
	OtherKind string   `json:"otherKind,omitempty"`
	At        string   `json:"at"`
}

// attempt posts one change, signed; the webhook-id is the same on every retry of a change, so
// receivers can drop what they already have.
func (d *Dispatcher) attempt(ctx context.Context, w pg.Webhook, c pg.Change) pg.WebhookDelivery {
	res := pg.WebhookDelivery{Webhook: w.ID, Seq: c.Seq, Attempt: w.Failures + 1, At: time.Now()}
	now := time.Now().UTC()
	body, _ := json.Marshal(payload{Type: "change." + string(c.Op), Timestamp: now, Data: change{
		Cursor: pg.ChangeCursor(c.Seq), Operation: string(c.Op), ID: c.ID, Kind: string(c.Kind), Fields: c.Fields,
		Relation: string(c.Relation), Other: c.Other, OtherKind: string(c.OtherKind), At: c.At.UTC().Format(time.RFC3339Nano)}})
	msgID := fmt.Sprintf("msg_%s_%d", w.ID, c.Seq)
	signer, err := standardwebhooks.NewWebhook(w.Secret)
	if err != nil {
		res.Error = "the webhook's secret is not usable: register it again"
		return res
	}
	sig, err := signer.Sign(msgID, now, body)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	ctx, cancel := context.WithTimeout(ctx, d.o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		res.Error = err.Error()
		return res
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "partnergraph-webhooks")
	req.Header.Set(standardwebhooks.HeaderWebhookID, msgID)
	req.Header.Set(standardwebhooks.HeaderWebhookTimestamp, fmt.Sprint(now.Unix()))
	req.Header.Set(standardwebhooks.HeaderWebhookSignature, sig)
	start := time.Now()
	resp, err := d.o.Client.Do(req)
	res.Duration = time.Since(start)
	if err != nil {
		res.Error = "the endpoint did not answer: " + err.Error()
		return res
	}
	_ = resp.Body.Close()
	res.Status = resp.StatusCode
	res.OK = resp.StatusCode >= 200 && resp.StatusCode < 300
	if !res.OK {
		res.Error = "the endpoint answered " + resp.Status
	}
	return res
}
