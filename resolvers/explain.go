package resolvers

import (
	"strings"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/graph/model"
)

func coOrganisationFilter(f *model.CoOrganisationFilter) pg.CoOrganisationFilter {
	var out pg.CoOrganisationFilter
	if f == nil {
		return out
	}
	out.Organisation, out.Topic, out.From, out.To, out.Roles = f.Organisation, f.Topic, f.From, f.To, f.Roles
	for _, k := range f.EventKinds {
		out.EventKinds = append(out.EventKinds, string(k))
	}
	if f.MinCount != nil {
		out.MinCount = *f.MinCount
	}
	return out
}

func statsFilter(f *model.StatsFilter) pg.StatsFilter {
	var out pg.StatsFilter
	if f == nil {
		return out
	}
	out.Topic, out.Country, out.Place, out.Organisation, out.From, out.To = f.Topic, f.Country, f.Place, f.Organisation, f.From, f.To
	for _, k := range f.EventKinds {
		out.EventKinds = append(out.EventKinds, string(k))
	}
	return out
}

func ptrs[T any](items []T) []*T {
	out := make([]*T, len(items))
	for i := range items {
		out[i] = &items[i]
	}
	return out
}

// displayName is how an entity is named to people: its name or title.
func displayName(n pg.Node) string {
	switch x := n.(type) {
	case *pg.Organisation:
		if x.ShortName != nil {
			return *x.ShortName
		}
		return x.Name
	case *pg.Programme:
		return x.Title
	case *pg.Event:
		return x.Title
	case *pg.Publication:
		return x.Title
	case *pg.Topic:
		return x.Name
	case *pg.Place:
		return x.Name
	case *pg.Person:
		return x.Name
	}
	return ""
}

// verbs phrase each relationship type from its start node to its end node; roles refine them.
var verbs = map[pg.RelType]string{
	pg.RelOrganised: "organised", pg.RelAttended: "took part in", pg.RelPublished: "published",
	pg.RelRuns: "runs", pg.RelSupports: "supports", pg.RelPartOf: "is part of", pg.RelLocatedIn: "is located in",
	pg.RelHeldIn: "was held in", pg.RelAbout: "is about", pg.RelPrioritises: "has as a priority",
	pg.RelInProgramme: "belongs to", pg.RelSummarises: "summarises", pg.RelLaunchedAt: "was launched at",
	pg.RelAffiliatedWith: "works at", pg.RelFeatures: "features",
}

var roleVerbs = map[pg.Role]string{
	pg.RoleCoOrganiser: "co-organised", pg.RoleHost: "hosted", pg.RoleSupporter: "supported", pg.RoleFunder: "funded",
	pg.RolePresenter: "presented at", pg.RoleSpeaker: "spoke at", pg.RoleCoPublisher: "co-published",
	pg.RolePartner: "partnered in",
}

// explain says a path step in words, always from the stored relationship's start to its end,
// e.g. "INTERPOL co-organised First INTERPOL - UNICRI Global Meeting ...".
func explain(s pg.Step) string {
	start, end := s.From, s.To
	if s.Relation.From != s.From.NodeID() {
		start, end = s.To, s.From
	}
	verb := verbs[s.Relation.Type]
	if v, ok := roleVerbs[s.Relation.Role]; ok {
		verb = v
	}
	if s.Relation.Type == pg.RelAffiliatedWith && s.Relation.Title != nil {
		verb = "is " + strings.ToLower(*s.Relation.Title) + " of"
	}
	return displayName(start) + " " + verb + " " + displayName(end)
}
