package neo4jstore

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	pg "github.com/unicri/partnergraph"
)

// Webhooks implements pg.WebhookService and what the dispatcher (package webhook) needs: a
// webhook is a (:Webhook) node with its cursor in the feed and a lease; each attempt is a
// (:WebhookDelivery). Lease times are Neo4j's clock (timestamp()), so replicas' clocks need
// not agree.
type Webhooks struct{ db *DB }

// Webhooks returns the store's webhooks.
func (db *DB) Webhooks() *Webhooks { return &Webhooks{db: db} }

var _ pg.WebhookService = (*Webhooks)(nil)

func webhookValue(n neo4j.Node) pg.Webhook {
	p := n.Props
	w := pg.Webhook{ID: str(p, "id"), URL: str(p, "url"), Secret: str(p, "secret"), Disabled: str(p, "disabled")}
	for _, k := range stringList(p["kinds"]) {
		w.Kinds = append(w.Kinds, pg.Kind(k))
	}
	for _, o := range stringList(p["ops"]) {
		w.Ops = append(w.Ops, pg.ChangeOp(o))
	}
	w.Drafts, _ = p["drafts"].(bool)
	w.Active, _ = p["active"].(bool)
	w.Cursor, _ = p["cursor"].(int64)
	f, _ := p["failures"].(int64)
	w.Failures = int(f)
	if ms, ok := p["createdAt"].(int64); ok {
		w.CreatedAt = time.UnixMilli(ms).UTC()
	}
	return w
}

// RegisterWebhook implements pg.WebhookService.
func (s *Webhooks) RegisterWebhook(ctx context.Context, in pg.WebhookInput) (*pg.Webhook, error) {
	if err := in.Check(); err != nil {
		return nil, err
	}
	head, err := s.db.Feed().FeedHead(ctx)
	if err != nil {
		return nil, err
	}
	key := make([]byte, 24)
	_, _ = rand.Read(key)
	var kinds, ops []string
	for _, k := range in.Kinds {
		kinds = append(kinds, string(k))
	}
	for _, o := range in.Ops {
		ops = append(ops, string(o))
	}
	const q = `CREATE (w:Webhook {id: $id, url: $url, secret: $secret, kinds: $kinds, ops: $ops, drafts: $drafts,
  active: true, cursor: $cursor, failures: 0, createdAt: timestamp()}) RETURN w`
	rows, err := s.db.write(ctx, q, map[string]any{"id": "wh_" + rand.Text()[:16], "url": in.URL,
		"secret": "whsec_" + base64.StdEncoding.EncodeToString(key), "kinds": kinds, "ops": ops, "drafts": in.Drafts, "cursor": head})
	if err != nil {
		return nil, translate("register webhook", err)
	}
	n, _, _ := neo4j.GetRecordValue[neo4j.Node](rows[0], "w")
	w := webhookValue(n)
	return &w, nil
}

// Webhooks implements pg.WebhookService; secrets stay stored, not shown.
func (s *Webhooks) Webhooks(ctx context.Context) ([]pg.Webhook, error) {
	rows, err := s.db.read(ctx, `MATCH (w:Webhook) RETURN w ORDER BY w.createdAt, w.id`, nil)
	if err != nil {
		return nil, translate("webhooks", err)
	}
	out := make([]pg.Webhook, 0, len(rows))
	for _, r := range rows {
		n, _, _ := neo4j.GetRecordValue[neo4j.Node](r, "w")
		w := webhookValue(n)
		w.Secret = ""
		out = append(out, w)
	}
	return out, nil
}

// DeleteWebhook implements pg.WebhookService.
func (s *Webhooks) DeleteWebhook(ctx context.Context, id string) error {
	const q = `MATCH (w:Webhook {id: $id}) WITH w, w.id AS id DELETE w RETURN id`
	rows, err := s.db.write(ctx, q, map[string]any{"id": id})
	if err != nil {
		return translate("delete webhook", err)
	}
	if len(rows) == 0 {
		return pg.FieldErrorf(pg.ENOTFOUND, "id", "no webhook with id %q", id)
	}
	return nil
}

// ReplayWebhook implements pg.WebhookService.
func (s *Webhooks) ReplayWebhook(ctx context.Context, id string, after int64) (*pg.Webhook, error) {
	const q = `MATCH (w:Webhook {id: $id})
SET w.cursor = $after, w.active = true, w.disabled = null, w.failures = 0, w.failingSince = null, w.nextAttemptAt = null
RETURN w`
	rows, err := s.db.write(ctx, q, map[string]any{"id": id, "after": after})
	if err != nil {
		return nil, translate("replay webhook", err)
	}
	if len(rows) == 0 {
		return nil, pg.FieldErrorf(pg.ENOTFOUND, "id", "no webhook with id %q", id)
	}
	n, _, _ := neo4j.GetRecordValue[neo4j.Node](rows[0], "w")
	w := webhookValue(n)
	w.Secret = ""
	return &w, nil
}

// WebhookDeliveries implements pg.WebhookService.
func (s *Webhooks) WebhookDeliveries(ctx context.Context, id string, first int) ([]pg.WebhookDelivery, error) {
	if first < 0 || first > pg.MaxPageSize {
		return nil, pg.FieldErrorf(pg.EINVALID, "first", "first must be between 0 and %d", pg.MaxPageSize)
	}
	const q = `MATCH (d:WebhookDelivery {webhook: $id}) RETURN d ORDER BY d.at DESC, d.attempt DESC LIMIT $first`
	rows, err := s.db.read(ctx, q, map[string]any{"id": id, "first": first})
	if err != nil {
		return nil, translate("webhook deliveries", err)
	}
	out := make([]pg.WebhookDelivery, 0, len(rows))
	for _, r := range rows {
		n, _, _ := neo4j.GetRecordValue[neo4j.Node](r, "d")
		p := n.Props
		d := pg.WebhookDelivery{Webhook: str(p, "webhook"), Error: str(p, "error")}
		d.Seq, _ = p["seq"].(int64)
		a, _ := p["attempt"].(int64)
		st, _ := p["status"].(int64)
		ms, _ := p["at"].(int64)
		took, _ := p["tookMs"].(int64)
		d.Attempt, d.Status, d.At, d.Duration = int(a), int(st), time.UnixMilli(ms).UTC(), time.Duration(took)*time.Millisecond
		d.OK, _ = p["ok"].(bool)
		out = append(out, d)
	}
	return out, nil
}

// Due returns the active webhooks whose next attempt is due and whose lease is free or
// owner's, with their secrets: the dispatcher's work list.
func (s *Webhooks) Due(ctx context.Context, owner string) ([]pg.Webhook, error) {
	const q = `MATCH (w:Webhook) WHERE w.active AND coalesce(w.nextAttemptAt, 0) <= timestamp()
  AND (w.leaseUntil IS NULL OR w.leaseUntil < timestamp() OR w.leaseOwner = $owner)
RETURN w`
	rows, err := s.db.read(ctx, q, map[string]any{"owner": owner})
	if err != nil {
		return nil, translate("due webhooks", err)
	}
	out := make([]pg.Webhook, 0, len(rows))
	for _, r := range rows {
		n, _, _ := neo4j.GetRecordValue[neo4j.Node](r, "w")
		out = append(out, webhookValue(n))
	}
	return out, nil
}

// Lease takes or renews webhook id's lease for owner for ttl, if it is free, expired or
// owner's; it returns the webhook as stored then. The first SET takes the node's write lock
// (held to the commit; the property goes at once), so the check after it reads what the last
// holder committed: two replicas never both win.
func (s *Webhooks) Lease(ctx context.Context, id, owner string, ttl time.Duration) (*pg.Webhook, error) {
	const q = `MATCH (w:Webhook {id: $id})
SET w.lock = true
REMOVE w.lock
WITH w
WHERE w.active AND (w.leaseUntil IS NULL OR w.leaseUntil < timestamp() OR w.leaseOwner = $owner)
SET w.leaseOwner = $owner, w.leaseUntil = timestamp() + $ttl
RETURN w`
	rows, err := s.db.write(ctx, q, map[string]any{"id": id, "owner": owner, "ttl": ttl.Milliseconds()})
	if err != nil || len(rows) == 0 {
		return nil, translate("lease webhook", err)
	}
	n, _, _ := neo4j.GetRecordValue[neo4j.Node](rows[0], "w")
	w := webhookValue(n)
	return &w, nil
}

// Release gives the lease up.
func (s *Webhooks) Release(ctx context.Context, id, owner string) error {
	const q = `MATCH (w:Webhook {id: $id}) WHERE w.leaseOwner = $owner SET w.leaseOwner = null, w.leaseUntil = null`
	_, err := s.db.write(ctx, q, map[string]any{"id": id, "owner": owner})
	return translate("release webhook", err)
}

// Record logs an attempt and moves the webhook on, while owner holds its lease: a delivered
// (or filtered out, d == nil) change advances the cursor to seq; a failed attempt counts a
// failure and sets when to try again (retryIn from now), or disables the webhook with a
// reason. It reports whether the lease was still owner's.
func (s *Webhooks) Record(ctx context.Context, id, owner string, seq int64, d *pg.WebhookDelivery, retryIn time.Duration, disable string) (bool, error) {
	const q = `MATCH (w:Webhook {id: $id}) WHERE w.leaseOwner = $owner AND w.leaseUntil >= timestamp()
FOREACH (x IN CASE WHEN $d IS NULL THEN [] ELSE [$d] END |
  CREATE (:WebhookDelivery {webhook: $id, seq: x.seq, attempt: x.attempt, at: timestamp(), ok: x.ok, status: x.status,
    error: x.error, tookMs: x.tookMs, by: $owner}))
WITH w
CALL (w) {
  WITH w WHERE $d IS NULL OR $d.ok
  SET w.cursor = $seq, w.failures = 0, w.failingSince = null, w.nextAttemptAt = null
}
CALL (w) {
  WITH w WHERE $d IS NOT NULL AND NOT $d.ok
  SET w.failures = coalesce(w.failures, 0) + 1, w.failingSince = coalesce(w.failingSince, timestamp()),
    w.nextAttemptAt = timestamp() + $retryIn, w.active = $disable IS NULL, w.disabled = $disable
}
RETURN w.id AS id`
	var dm any
	if d != nil {
		dm = map[string]any{"seq": d.Seq, "attempt": int64(d.Attempt), "ok": d.OK, "status": int64(d.Status), "error": d.Error,
			"tookMs": d.Duration.Milliseconds()}
	}
	var dis any
	if disable != "" {
		dis = disable
	}
	rows, err := s.db.write(ctx, q, map[string]any{"id": id, "owner": owner, "seq": seq, "d": dm,
		"retryIn": retryIn.Milliseconds(), "disable": dis})
	if err != nil {
		return false, translate("record webhook delivery", err)
	}
	return len(rows) > 0, nil
}

// FailingSince is when the webhook's current run of failures began (zero if none).
func (s *Webhooks) FailingSince(ctx context.Context, id string) (time.Time, error) {
	rows, err := s.db.read(ctx, `MATCH (w:Webhook {id: $id}) RETURN w.failingSince AS since`, map[string]any{"id": id})
	if err != nil || len(rows) == 0 {
		return time.Time{}, translate("webhook failures", err)
	}
	ms, ok := rows[0].Values[0].(int64)
	if !ok {
		return time.Time{}, nil
	}
	return time.UnixMilli(ms), nil
}
