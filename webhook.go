package partnergraph

import (
	"context"
	"net/url"
	"time"
)

// Webhook is an endpoint that receives the change feed, one signed POST per change, in order
// (package webhook delivers). Only published content reaches it unless Drafts.
type Webhook struct {
	ID        string
	URL       string
	Kinds     []Kind
	Ops       []ChangeOp
	Drafts    bool
	Active    bool   // false once it gave up (see Disabled) or was paused
	Disabled  string // why it stopped, if it did
	Cursor    int64  // the last change delivered, or skipped by its filter
	Failures  int    // attempts failed in a row for the change at Cursor's next
	CreatedAt time.Time
	// Secret signs deliveries (Standard Webhooks: whsec_ and base64); shown once, at creation.
	Secret string
}

// Filter is what the webhook receives: changes of its kinds and operations, as a viewer of
// drafts or of published content sees them.
func (w Webhook) Filter() (ChangeFilter, Viewer) {
	return ChangeFilter{After: w.Cursor, Kinds: w.Kinds, Ops: w.Ops}, Viewer{Drafts: w.Drafts}
}

// WebhookInput registers a webhook.
type WebhookInput struct {
	URL    string
	Kinds  []Kind
	Ops    []ChangeOp
	Drafts bool
}

// Check refuses a URL that is not absolute http(s), and oversized filters.
func (in WebhookInput) Check() error {
	u, err := url.Parse(in.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(in.URL) > 2000 {
		return FieldErrorf(EINVALID, "url", "give an absolute http or https URL")
	}
	return ChangeFilter{Kinds: in.Kinds, Ops: in.Ops}.Check()
}

// WebhookDelivery is one attempt to deliver a change to a webhook.
type WebhookDelivery struct {
	Webhook  string
	Seq      int64
	Attempt  int
	At       time.Time
	OK       bool
	Status   int    // the HTTP status the endpoint answered, 0 for none
	Error    string // why it failed
	Duration time.Duration
}

// WebhookService manages webhooks (admins only).
type WebhookService interface {
	// RegisterWebhook stores a webhook that starts at the feed's newest change; the result
	// carries its secret. Returns EINVALID.
	RegisterWebhook(ctx context.Context, in WebhookInput) (*Webhook, error)
	Webhooks(ctx context.Context) ([]Webhook, error)
	// DeleteWebhook returns ENOTFOUND.
	DeleteWebhook(ctx context.Context, id string) error
	// ReplayWebhook delivers again from after (and reactivates it). Returns ENOTFOUND.
	ReplayWebhook(ctx context.Context, id string, after int64) (*Webhook, error)
	// WebhookDeliveries are its newest attempts first.
	WebhookDeliveries(ctx context.Context, id string, first int) ([]WebhookDelivery, error)
}
