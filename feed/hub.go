// Package feed serves the change feed (pg.FeedService): one reader per process tails the
// changes Neo4j holds and fans them out to this process's subscribers, so a change made through
// any replica reaches the subscribers of every replica. Each subscriber is filtered for its
// viewer at delivery; one that falls behind is disconnected rather than buffered without bound.
package feed

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	pg "github.com/unicri/partnergraph"
)

// Options tune a hub; zero values take the defaults.
type Options struct {
	Poll      time.Duration // how often the feed is read (default 200 ms: delivery p99 well under 1 s)
	Retention time.Duration // how long changes are kept (default 7 days)
	Buffer    int           // changes a subscriber may fall behind by before it is disconnected (default 1,000)
	// OnDelivered, if set, is told of each change delivered and of its age (commit to delivery).
	OnDelivered func(age time.Duration)
}

// ErrShuttingDown ends the subscriptions of a process that stops.
var ErrShuttingDown = pg.Errorf(pg.EUNAVAILABLE, "the server is shutting down; resume from the last cursor received, on another instance or once it is back")

// ErrSlowConsumer ends a subscription that fell too far behind.
var ErrSlowConsumer = pg.Errorf(pg.EBUSY, "the subscriber fell too far behind the feed and was disconnected; resume from the last cursor it received")

// Hub implements pg.FeedService.
type Hub struct {
	src  pg.ChangeSource
	o    Options
	head atomic.Int64 // the newest sequence the reader has fanned out

	mu       sync.Mutex
	subs     map[*subscriber]struct{}
	stopping bool

	subscribers atomic.Int64
	delivered   atomic.Int64
}

var _ pg.FeedService = (*Hub)(nil)

// New returns a hub reading src; Run starts its reader.
func New(src pg.ChangeSource, o Options) *Hub {
	if o.Poll <= 0 {
		o.Poll = 200 * time.Millisecond
	}
	if o.Retention <= 0 {
		o.Retention = 7 * 24 * time.Hour
	}
	if o.Buffer <= 0 {
		o.Buffer = 1000
	}
	return &Hub{src: src, o: o, subs: map[*subscriber]struct{}{}}
}

// readBatch is how many changes one read of the feed takes.
const readBatch = 500

// Run reads the feed until ctx ends: from its newest change at the start, every Poll, fanning
// each change out in order; and prunes changes older than Retention every minute. A failed read
// is tried again at the next tick.
func (h *Hub) Run(ctx context.Context) {
	for h.head.Load() == 0 {
		head, err := h.src.FeedHead(ctx)
		if err == nil {
			h.head.Store(max(head, 1)) // 1: sequences start far above it
			break
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(h.o.Poll):
		}
	}
	tick := time.NewTicker(h.o.Poll)
	defer tick.Stop()
	lastPrune := time.Time{}
	for {
		for {
			page, err := h.src.ChangesAfter(ctx, h.head.Load(), readBatch)
			if err != nil {
				break
			}
			for _, c := range page {
				h.fanOut(c)
				h.head.Store(c.Seq)
			}
			if len(page) < readBatch {
				break
			}
		}
		if time.Since(lastPrune) > time.Minute {
			lastPrune = time.Now()
			_, _ = h.src.PruneChanges(ctx, time.Now().Add(-h.o.Retention), 10000)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// subscriber is one subscription's live queue.
type subscriber struct {
	ch chan pg.Change // closed by the hub when it falls behind or the hub stops
}

func (h *Hub) fanOut(c pg.Change) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		select {
		case s.ch <- c:
		default: // it fell behind
			close(s.ch)
			delete(h.subs, s)
		}
	}
}

func (h *Hub) add(s *subscriber) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopping {
		return false
	}
	h.subs[s] = struct{}{}
	h.subscribers.Add(1)
	return true
}

// Shutdown ends every subscription (with ErrShuttingDown) and refuses new ones.
func (h *Hub) Shutdown() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.stopping = true
	for s := range h.subs {
		close(s.ch)
		delete(h.subs, s)
	}
}

// ended says why the hub closed a subscriber's queue.
func (h *Hub) ended() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopping {
		return ErrShuttingDown
	}
	return ErrSlowConsumer
}

func (h *Hub) remove(s *subscriber) {
	h.mu.Lock()
	delete(h.subs, s)
	h.mu.Unlock()
	h.subscribers.Add(-1)
}

// Subscribers is how many subscriptions this process serves.
func (h *Hub) Subscribers() int64 { return h.subscribers.Load() }

// Delivered is how many changes this process delivered to subscribers.
func (h *Hub) Delivered() int64 { return h.delivered.Load() }

// Head is the newest sequence this process has read.
func (h *Hub) Head() int64 { return h.head.Load() }

// maxScanned bounds the changes one Changes call reads to find a page.
const maxScanned = 10000

// Changes implements pg.FeedService. It reads at most maxScanned changes of the feed.
func (h *Hub) Changes(ctx context.Context, v pg.Viewer, f pg.ChangeFilter, first int) (pg.ChangePage, error) {
	if err := f.Check(); err != nil {
		return pg.ChangePage{}, err
	}
	if first < 0 || first > pg.MaxPageSize {
		return pg.ChangePage{}, pg.FieldErrorf(pg.EINVALID, "first", "first must be between 0 and %d", pg.MaxPageSize)
	}
	p := pg.ChangePage{End: f.After}
	for scanned := 0; scanned < maxScanned; {
		page, err := h.src.ChangesAfter(ctx, p.End, readBatch)
		if err != nil {
			return pg.ChangePage{}, err
		}
		for _, c := range page {
			if vc, ok := c.For(v); ok && f.Matches(vc) {
				if len(p.Changes) == first {
					p.More = true
					return p, nil
				}
				p.Changes = append(p.Changes, vc)
			}
			scanned++
			p.End = c.Seq
		}
		if len(page) < readBatch {
			return p, nil
		}
	}
	p.More = true
	return p, nil
}

// Subscribe implements pg.FeedService.
func (h *Hub) Subscribe(ctx context.Context, v pg.Viewer, f pg.ChangeFilter) (*pg.Subscription, error) {
	if err := f.Check(); err != nil {
		return nil, err
	}
	live := &subscriber{ch: make(chan pg.Change, h.o.Buffer)}
	if !h.add(live) { // before the replay: whatever commits from now on reaches the queue
		return nil, ErrShuttingDown
	}
	out := make(chan pg.Change)
	var mu sync.Mutex
	var ended error
	end := func(err error) {
		mu.Lock()
		ended = err
		mu.Unlock()
	}
	go func() {
		defer close(out)
		defer h.remove(live)
		cursor := f.After
		if cursor < 0 { // from now: what has committed, not what this process has read
			head, err := h.src.FeedHead(ctx)
			if err != nil {
				if ctx.Err() == nil {
					end(err)
				}
				return
			}
			cursor = head
		}
		deliver := func(c pg.Change) bool {
			cursor = c.Seq
			vc, ok := c.For(v)
			if !ok || !f.Matches(vc) {
				return true
			}
			select {
			case out <- vc:
				h.delivered.Add(1)
				if h.o.OnDelivered != nil && !c.At.IsZero() {
					h.o.OnDelivered(time.Since(c.At))
				}
				return true
			case <-ctx.Done():
				return false
			}
		}
		// Replay what the subscriber missed, then the live queue past it: a change the queue
		// holds twice (it came while replaying) is skipped by its sequence.
		for {
			page, err := h.src.ChangesAfter(ctx, cursor, readBatch)
			if err != nil {
				if ctx.Err() == nil {
					end(err)
				}
				return
			}
			for _, c := range page {
				if !deliver(c) {
					return
				}
			}
			if len(page) < readBatch {
				break
			}
		}
		for {
			select {
			case <-ctx.Done():
				return
			case c, ok := <-live.ch:
				if !ok {
					end(h.ended())
					return
				}
				if c.Seq > cursor && !deliver(c) {
					return
				}
			}
		}
	}()
	return &pg.Subscription{C: out, Err: func() error {
		mu.Lock()
		defer mu.Unlock()
		return ended
	}}, nil
}

// IsSlowConsumer reports whether err ended a subscription that fell behind.
func IsSlowConsumer(err error) bool { return errors.Is(err, ErrSlowConsumer) }
