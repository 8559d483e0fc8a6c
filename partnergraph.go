// Package partnergraph is the domain of the partnergraph API: the centre's content and partner
// network as entities and relations, the filters and inputs that read and change them, and the
// service interfaces the GraphQL layer calls. It imports the standard library only; the Neo4j
// store (package neo4jstore) implements the services.
package partnergraph

import (
	"context"
	"time"
)

// Kind names an entity kind. Its Label is the Neo4j label that stores it.
type Kind string

// Entity kinds.
const (
	KindProgramme    Kind = "PROGRAMME"
	KindOrganisation Kind = "ORGANISATION"
	KindEvent        Kind = "EVENT"
	KindPublication  Kind = "PUBLICATION"
	KindTopic        Kind = "TOPIC"
	KindPlace        Kind = "PLACE"
	KindPerson       Kind = "PERSON"
)

// Kinds lists every entity kind, in the order the API documents them.
var Kinds = []Kind{KindProgramme, KindOrganisation, KindEvent, KindPublication, KindTopic, KindPlace, KindPerson}

// Label returns the Neo4j label of the kind, or "" for an unknown kind.
func (k Kind) Label() string {
	switch k {
	case KindProgramme:
		return "Programme"
	case KindOrganisation:
		return "Organisation"
	case KindEvent:
		return "Event"
	case KindPublication:
		return "Publication"
	case KindTopic:
		return "Topic"
	case KindPlace:
		return "Place"
	case KindPerson:
		return "Person"
	}
	return ""
}

// KindOfLabel is the inverse of Kind.Label.
func KindOfLabel(label string) Kind {
	for _, k := range Kinds {
		if k.Label() == label {
			return k
		}
	}
	return ""
}

// Status is the publication state of an entity. Anonymous readers see PUBLISHED only.
type Status string

// Statuses.
const (
	StatusDraft     Status = "DRAFT"
	StatusPublished Status = "PUBLISHED"
)

// Node is implemented by every entity.
type Node interface {
	NodeID() string
	NodeKind() Kind
}

// Base holds the fields every entity has.
type Base struct {
	ID        string
	Slug      string
	Status    Status
	CreatedAt time.Time
	UpdatedAt time.Time
}

// NodeID returns the entity's global id.
func (b Base) NodeID() string { return b.ID }

// Organisation is a partner: a UN body, government, ministry, university, company, unit...
type Organisation struct {
	Base
	Name        string
	ShortName   *string
	Kind        OrganisationKind
	Description *string
	Website     *string
	Founded     *Date
}

// NodeKind implements Node.
func (*Organisation) NodeKind() Kind { return KindOrganisation }

// Programme is a programme, project, initiative or platform of the centre.
type Programme struct {
	Base
	Title     string
	Summary   *string
	Body      *string
	StartDate *Date
	EndDate   *Date
}

// NodeKind implements Node.
func (*Programme) NodeKind() Kind { return KindProgramme }

// Event is a meeting, training, conference, launch, panel, roundtable, visit...
type Event struct {
	Base
	Title     string
	Kind      EventKind
	Format    *EventFormat
	StartDate *Date
	EndDate   *Date
	Summary   *string
	Body      *string
}

// NodeKind implements Node.
func (*Event) NodeKind() Kind { return KindEvent }

// Publication is a report, magazine, journal issue, toolkit, video...
type Publication struct {
	Base
	Title     string
	Kind      PublicationKind
	Published *Date
	Summary   *string
	Body      *string
	ItemCount *int
	Issue     *string
	ShortName *string // the name it goes by (F3)
}

// NodeKind implements Node.
func (*Publication) NodeKind() Kind { return KindPublication }

// Topic is a priority area or subject.
type Topic struct {
	Base
	Name        string
	Description *string
}

// NodeKind implements Node.
func (*Topic) NodeKind() Kind { return KindTopic }

// Place is a city or a country.
type Place struct {
	Base
	Name        string
	Kind        PlaceKind
	CountryCode *string
}

// NodeKind implements Node.
func (*Place) NodeKind() Kind { return KindPlace }

// Person is a named person.
type Person struct {
	Base
	Name string
}

// NodeKind implements Node.
func (*Person) NodeKind() Kind { return KindPerson }

// OrganisationKind classifies organisations.
type OrganisationKind string

// EventKind classifies events.
type EventKind string

// EventFormat says how an event was held.
type EventFormat string

// PublicationKind classifies publications.
type PublicationKind string

// PlaceKind classifies places.
type PlaceKind string

// Organisation, event, publication and place kinds accepted by the API and the dataset.
var (
	OrganisationKinds = []OrganisationKind{"UN_BODY", "INTERNATIONAL_ORGANISATION", "GOVERNMENT", "MINISTRY",
		"MUNICIPALITY", "UNIVERSITY", "COMPANY", "CIVIL_SOCIETY", "LAW_ENFORCEMENT", "RESEARCH_CENTRE", "OTHER"}
	EventKinds       = []EventKind{"MEETING", "TRAINING", "CONFERENCE", "LAUNCH", "PANEL", "ROUNDTABLE", "VISIT", "WORKSHOP", "PRESENTATION"}
	EventFormats     = []EventFormat{"IN_PERSON", "ONLINE", "HYBRID"}
	PublicationKinds = []PublicationKind{"REPORT", "MAGAZINE", "JOURNAL_ISSUE", "TOOLKIT", "VIDEO", "ARTICLE"}
	PlaceKinds       = []PlaceKind{"COUNTRY", "CITY"}
)

// ContentService reads and changes entities.
type ContentService interface {
	// FindNodes returns the entities with the given ids that the viewer may see, in the order of
	// ids, with nil for each id that does not exist or is hidden. Returns EUNAVAILABLE.
	FindNodes(ctx context.Context, v Viewer, ids []string) ([]Node, error)
	// FindBySlug returns the entity of the kind with the slug. Returns ENOTFOUND, EUNAVAILABLE.
	FindBySlug(ctx context.Context, v Viewer, kind Kind, slug string) (Node, error)
	// ListNodes returns one page of entities of filter.Kind. Returns EINVALID, EUNAVAILABLE.
	ListNodes(ctx context.Context, v Viewer, filter NodeFilter, page PageArgs) (*Page[Node], error)
	// CountNodes counts the entities ListNodes would page through. Returns EUNAVAILABLE.
	CountNodes(ctx context.Context, v Viewer, filter NodeFilter) (int, error)

	// CreateNode creates an entity in one transaction. Returns EINVALID, ECONFLICT, ENOTFOUND.
	CreateNode(ctx context.Context, in NodeInput) (Node, error)
	// UpdateNode changes the given fields of an entity. Returns EINVALID, ECONFLICT, ENOTFOUND.
	UpdateNode(ctx context.Context, id string, in NodeInput) (Node, error)
	// DeleteNode removes an entity and its relations. Returns ENOTFOUND.
	DeleteNode(ctx context.Context, id string) error
	// DeleteNodes removes entities and their relations in one transaction: if one id does not
	// exist, nothing is deleted. Returns EINVALID, ENOTFOUND.
	DeleteNodes(ctx context.Context, ids []string) error
	// Link creates or updates one relation. Returns EINVALID, ENOTFOUND.
	Link(ctx context.Context, r Relation) (*Relation, error)
	// Unlink removes one relation. Returns EINVALID, ENOTFOUND.
	Unlink(ctx context.Context, r Relation) error
}

// Viewer is who is asking: it decides which content is visible.
type Viewer struct {
	// Drafts is true for callers allowed to see DRAFT content.
	Drafts bool
}

// Statuses returns the statuses the viewer may see.
func (v Viewer) Statuses() []string {
	if v.Drafts {
		return []string{string(StatusPublished), string(StatusDraft)}
	}
	return []string{string(StatusPublished)}
}

// Public is the anonymous viewer.
var Public = Viewer{}

// Counter computes a total on demand: lists count their items only when a client asks.
type Counter func(ctx context.Context) (int, error)
