package resolvers

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/loader"
)

// feed returns the change feed, or an error saying this server has none.
func (r *Resolver) feed() (pg.FeedService, error) {
	if r.FeedService == nil {
		return nil, &pg.Error{Code: pg.ENOTIMPLEMENTED, Message: "the change feed is not available on this server"}
	}
	return r.FeedService, nil
}

// webhooks returns the webhooks, or an error saying this server has none.
func (r *Resolver) webhooks() (pg.WebhookService, error) {
	if r.WebhookService == nil {
		return nil, &pg.Error{Code: pg.ENOTIMPLEMENTED, Message: "webhooks are not available on this server"}
	}
	return r.WebhookService, nil
}

// changeFilter reads the arguments of the changes fields; without a cursor, from is where the
// feed starts (0: its oldest kept change, -1: from now).
func changeFilter(after *string, kinds []pg.Kind, ids []string, ops []pg.ChangeOp, from int64) (pg.ChangeFilter, error) {
	f := pg.ChangeFilter{After: from, Kinds: kinds, IDs: ids, Ops: ops}
	if after != nil {
		seq, err := pg.ParseChangeCursor(*after)
		if err != nil {
			return f, err
		}
		f.After = seq
	}
	return f, f.Check()
}

// changeEntity is the entity of a change as the caller may see it now. A subscription lives
// long: its events read the entity afresh instead of through the connection's loader, whose
// cache would hold what the entity was at the first event.
func (r *Resolver) changeEntity(ctx context.Context, id string) (pg.Node, error) {
	if oc := graphql.GetOperationContext(ctx); oc.Operation != nil && oc.Operation.Operation == ast.Subscription {
		nodes, err := r.ContentService.FindNodes(ctx, viewer(ctx), []string{id})
		if err != nil || len(nodes) == 0 {
			return nil, err
		}
		return nodes[0], nil
	}
	return loader.FromContext(ctx).Node(ctx, id)
}

// subscribe streams the changes of f to the caller, ending with a subscription error when the
// feed ends it (the subscriber fell behind) or the caller's token expires.
func subscribe(ctx context.Context, feed pg.FeedService, f pg.ChangeFilter) (<-chan *pg.Change, error) {
	caller := pg.CallerFromContext(ctx)
	ctx, cancel := context.WithCancel(ctx)
	sub, err := feed.Subscribe(ctx, caller.Viewer(), f)
	if err != nil {
		cancel()
		return nil, err
	}
	out := make(chan *pg.Change)
	// The reason goes out as a last event whose fields fail with it: both transports carry
	// it to the client as a GraphQL error, then complete.
	end := func(err error) {
		select {
		case out <- &pg.Change{Ended: err}:
		case <-time.After(time.Second):
		}
	}
	go func() {
		defer close(out)
		defer cancel()
		var expired <-chan time.Time
		if !caller.Expires.IsZero() {
			t := time.NewTimer(time.Until(caller.Expires))
			defer t.Stop()
			expired = t.C
		}
		for {
			select {
			case c, ok := <-sub.C:
				if !ok {
					if err := sub.Err(); err != nil {
						end(err)
					}
					return
				}
				select {
				case out <- &c:
				case <-ctx.Done():
					return
				}
			case <-expired:
				end(pg.Errorf(pg.EUNAUTHORIZED, "the token has expired; subscribe again with a new one"))
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}
