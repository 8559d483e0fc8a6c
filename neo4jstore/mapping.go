package neo4jstore

import (
	"fmt"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	pg "github.com/unicri/partnergraph"
)

// perKind expands a query template once per entity kind, replacing the token LABEL with the
// kind's label. Labels come only from pg.Kinds (a fixed list in code); nothing a client sends
// reaches query text. Templates are expanded once, at package initialisation.
func perKind(template string) map[pg.Kind]string {
	out := make(map[pg.Kind]string, len(pg.Kinds))
	for _, k := range pg.Kinds {
		out[k] = strings.ReplaceAll(template, "LABEL", k.Label())
	}
	return out
}

// kindOf returns the kind of a stored node from its labels.
func kindOf(n neo4j.Node) pg.Kind {
	for _, l := range n.Labels {
		if k := pg.KindOfLabel(l); k != "" {
			return k
		}
	}
	return ""
}

func str(p map[string]any, key string) string {
	s, _ := p[key].(string)
	return s
}

func optStr(p map[string]any, key string) *string {
	if s, ok := p[key].(string); ok {
		return &s
	}
	return nil
}

func optDate(p map[string]any, key string) *pg.Date {
	if s, ok := p[key].(string); ok {
		d := pg.Date(s)
		return &d
	}
	return nil
}

func optInt(p map[string]any, key string) *int {
	if n, ok := p[key].(int64); ok {
		i := int(n)
		return &i
	}
	return nil
}

func timeOf(p map[string]any, key string) time.Time {
	t, _ := p[key].(time.Time)
	return t
}

// toNode maps a stored node to its domain entity.
func toNode(n neo4j.Node) (pg.Node, error) {
	p := n.Props
	base := pg.Base{ID: str(p, "id"), Slug: str(p, "slug"), Status: pg.Status(str(p, "status")),
		CreatedAt: timeOf(p, "createdAt"), UpdatedAt: timeOf(p, "updatedAt")}
	switch kindOf(n) {
	case pg.KindOrganisation:
		return &pg.Organisation{Base: base, Name: str(p, "name"), ShortName: optStr(p, "shortName"),
			Kind: pg.OrganisationKind(str(p, "kind")), Description: optStr(p, "description"),
			Website: optStr(p, "website"), Founded: optDate(p, "founded")}, nil
	case pg.KindProgramme:
		return &pg.Programme{Base: base, Title: str(p, "title"), Summary: optStr(p, "summary"), Body: optStr(p, "body"),
			StartDate: optDate(p, "startDate"), EndDate: optDate(p, "endDate")}, nil
	case pg.KindEvent:
		e := &pg.Event{Base: base, Title: str(p, "title"), Kind: pg.EventKind(str(p, "kind")),
			StartDate: optDate(p, "startDate"), EndDate: optDate(p, "endDate"),
			Summary: optStr(p, "summary"), Body: optStr(p, "body")}
		if f := optStr(p, "format"); f != nil {
			ef := pg.EventFormat(*f)
			e.Format = &ef
		}
		return e, nil
	case pg.KindPublication:
		return &pg.Publication{Base: base, Title: str(p, "title"), Kind: pg.PublicationKind(str(p, "kind")),
			Published: optDate(p, "published"), Summary: optStr(p, "summary"), Body: optStr(p, "body"),
			ItemCount: optInt(p, "itemCount"), Issue: optStr(p, "issue"), ShortName: optStr(p, "shortName")}, nil
	case pg.KindTopic:
		return &pg.Topic{Base: base, Name: str(p, "name"), Description: optStr(p, "description")}, nil
	case pg.KindPlace:
		return &pg.Place{Base: base, Name: str(p, "name"), Kind: pg.PlaceKind(str(p, "kind")), CountryCode: optStr(p, "countryCode")}, nil
	case pg.KindPerson:
		return &pg.Person{Base: base, Name: str(p, "name")}, nil
	}
	return nil, fmt.Errorf("node %d has no entity label: %v", n.Id, n.Labels)
}

// nodeValue reads a node column of a record and maps it; a null column gives nil.
func nodeValue(r *neo4j.Record, key string) (pg.Node, error) {
	n, isNil, err := neo4j.GetRecordValue[neo4j.Node](r, key)
	if isNil {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return toNode(n)
}

// relationValue reads a relationship column given the ids of its two ends.
func relationValue(r neo4j.Relationship, from, to string) pg.Relation {
	p := r.Props
	return pg.Relation{Type: pg.RelType(r.Type), From: from, To: to, Role: pg.Role(str(p, "role")),
		Title: optStr(p, "title"), Since: optDate(p, "since"), Until: optDate(p, "until")}
}
