package resolvers

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/graph/model"
	"github.com/unicri/partnergraph/loader"
)

// analyticsFilter is the domain's form of a network analysis filter.
func analyticsFilter(f *model.NetworkAnalysisFilter) pg.AnalyticsFilter {
	var out pg.AnalyticsFilter
	if f == nil {
		return out
	}
	out.Stats = statsFilter(f.Stats)
	out.Roles = f.Roles
	out.Units = f.Units != nil && *f.Units
	out.PerEvent = f.PerEvent != nil && *f.PerEvent
	return out
}

// analytics returns the analytics service, or an error saying the server has none.
func (r *Resolver) analytics() (pg.AnalyticsService, error) {
	if r.AnalyticsService == nil {
		return nil, &pg.Error{Code: pg.ENOTIMPLEMENTED, Message: "network analytics are not available on this server"}
	}
	return r.AnalyticsService, nil
}

// centralityPage is one page of an analysis's organisations ranked by a centrality. Cursors
// are positions in that ranking, tied to the analysis's content version: a cursor of older
// content is refused rather than silently shifted.
func centralityPage(a *pg.NetworkAnalysis, order model.CentralityOrder, n int, after *string) (*model.OrganisationMetricsConnection, error) {
	if err := checkFirst(n); err != nil {
		return nil, err
	}
	start := 0
	if after != nil {
		pos, err := decodeRankCursor(*after, a.Version, order)
		if err != nil {
			return nil, err
		}
		start = pos + 1
	}
	ranked := a.RankedBy[pg.Centrality(order)]
	c := &model.OrganisationMetricsConnection{TotalCount: len(ranked), PageInfo: &model.PageInfo{HasPreviousPage: start > 0}}
	end := min(len(ranked), start+n)
	for i := start; i < end; i++ {
		c.Edges = append(c.Edges, &model.OrganisationMetricsEdge{Cursor: rankCursor(i, a.Version, order), Node: ranked[i]})
	}
	c.PageInfo.HasNextPage = end < len(ranked)
	if len(c.Edges) > 0 {
		c.PageInfo.StartCursor, c.PageInfo.EndCursor = &c.Edges[0].Cursor, &c.Edges[len(c.Edges)-1].Cursor
	}
	return c, nil
}

func rankCursor(pos int, version int64, order model.CentralityOrder) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "rank:%d:%s:%d", version, order, pos))
}

func decodeRankCursor(c string, version int64, order model.CentralityOrder) (int, error) {
	bad := pg.FieldErrorf(pg.EINVALID, "after", "not a cursor of this ranking (the content may have changed since)")
	if len(c) > 100 {
		return 0, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, bad
	}
	prefix := fmt.Sprintf("rank:%d:%s:", version, order)
	s := string(b)
	if len(s) <= len(prefix) || s[:len(prefix)] != prefix {
		return 0, bad
	}
	pos, err := strconv.Atoi(s[len(prefix):])
	if err != nil || pos < 0 {
		return 0, bad
	}
	return pos, nil
}

// partnersOrder names the collaborators ranking in its cursors.
const partnersOrder = model.CentralityOrder("PARTNERS")

// networkCollaborators is Organisation.collaborators with a filter: the partner network's
// ranking (as Organisation.partners), paged by position.
func (r *Resolver) networkCollaborators(ctx context.Context, org string, filter *model.NetworkAnalysisFilter, first *int, after *string) (*model.CollaboratorConnection, error) {
	a, err := r.analytics()
	if err != nil {
		return nil, err
	}
	n := pg.DefaultPageSize
	if first != nil {
		n = *first
	}
	if err := checkFirst(n); err != nil {
		return nil, err
	}
	start := 0
	if after != nil {
		pos, err := decodeRankCursor(*after, 0, partnersOrder)
		if err != nil {
			return nil, err
		}
		start = pos + 1
	}
	ps, all, err := a.PartnersPage(ctx, viewer(ctx), analyticsFilter(filter), org, start, n)
	if err != nil {
		return nil, err
	}
	cols, err := r.collaboratorsOf(ctx, ps)
	if err != nil {
		return nil, err
	}
	c := &model.CollaboratorConnection{Count: func(context.Context) (int, error) { return all, nil },
		PageInfo: &model.PageInfo{HasPreviousPage: start > 0, HasNextPage: start+len(ps) < all}}
	for i, col := range cols {
		c.Edges = append(c.Edges, &model.CollaboratorEdge{Cursor: rankCursor(start+i, 0, partnersOrder), Node: col})
	}
	if len(c.Edges) > 0 {
		c.PageInfo.StartCursor, c.PageInfo.EndCursor = &c.Edges[0].Cursor, &c.Edges[len(c.Edges)-1].Cursor
	}
	return c, nil
}

// maxCommonPartners is how many common partners a suggestion lists.
const maxCommonPartners = 20

// organisationByID loads one organisation of an analysis through the request's loader.
func organisationByID(ctx context.Context, id string) (*pg.Organisation, error) {
	n, err := loader.FromContext(ctx).Node(ctx, id)
	if err != nil {
		return nil, err
	}
	o, ok := n.(*pg.Organisation)
	if !ok {
		return nil, &pg.Error{Code: pg.ENOTFOUND, Message: "the organisation is gone since the analysis was computed; ask again"}
	}
	return o, nil
}

// organisationsByID loads organisations in order, leaving out any that is gone or hidden
// since the analysis was computed.
func (r *Resolver) organisationsByID(ctx context.Context, ids []string) ([]*pg.Organisation, error) {
	nodes, err := r.ContentService.FindNodes(ctx, viewer(ctx), ids)
	if err != nil {
		return nil, err
	}
	out := make([]*pg.Organisation, 0, len(nodes))
	for _, n := range nodes {
		if o, ok := n.(*pg.Organisation); ok {
			out = append(out, o)
		}
	}
	return out, nil
}

// topicsByID loads topics in order, leaving out any that is gone or hidden.
func (r *Resolver) topicsByID(ctx context.Context, ids []string) ([]*pg.Topic, error) {
	nodes, err := r.ContentService.FindNodes(ctx, viewer(ctx), ids)
	if err != nil {
		return nil, err
	}
	out := make([]*pg.Topic, 0, len(nodes))
	for _, n := range nodes {
		if t, ok := n.(*pg.Topic); ok {
			out = append(out, t)
		}
	}
	return out, nil
}

// firstN checks a list size argument and cuts ids to it.
// firstN is the first n of s, n checked as a page size.
func firstN[T any](s []T, n int) ([]T, error) {
	if err := checkFirst(n); err != nil {
		return nil, err
	}
	return s[:min(n, len(s))], nil
}

// checkFirst refuses a page size outside [0, MaxPageSize].
func checkFirst(n int) error {
	if n < 0 || n > pg.MaxPageSize {
		return pg.FieldErrorf(pg.EINVALID, "first", "first must be between 0 and %d", pg.MaxPageSize)
	}
	return nil
}

// maxSharedListed is how many shared engagements of each kind a partner lists.
const maxSharedListed = 20

// collaboratorsOf loads the partners and the work they share, in one lookup, as
// collaborators: the score counts every shared engagement, the lists the newest of each kind.
func (r *Resolver) collaboratorsOf(ctx context.Context, ps []pg.Partner) ([]*pg.Collaborator, error) {
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.ID)
		listed := map[pg.Kind]int{}
		for _, e := range p.Shared {
			if listed[e.Kind] < maxSharedListed {
				listed[e.Kind]++
				ids = append(ids, e.ID)
			}
		}
	}
	nodes, err := r.ContentService.FindNodes(ctx, viewer(ctx), ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]pg.Node, len(nodes))
	for _, n := range nodes {
		if n != nil {
			byID[n.NodeID()] = n
		}
	}
	out := make([]*pg.Collaborator, 0, len(ps))
	for _, p := range ps {
		org, ok := byID[p.ID].(*pg.Organisation)
		if !ok {
			continue // gone or hidden since the analysis was computed
		}
		c := &pg.Collaborator{Organisation: org, Score: len(p.Shared)}
		for _, e := range p.Shared {
			switch x := byID[e.ID].(type) {
			case *pg.Event:
				c.SharedEvents = append(c.SharedEvents, x)
			case *pg.Publication:
				c.SharedPublications = append(c.SharedPublications, x)
			case *pg.Programme:
				c.SharedProgrammes = append(c.SharedProgrammes, x)
			}
		}
		out = append(out, c)
	}
	return out, nil
}
