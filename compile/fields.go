package compile

import pg "github.com/unicri/partnergraph"

// The model as the compiler sees it: the GraphQL type of each kind, and for each entity type
// the fields that are relations (everything else it serves is a stored property of the same
// name). The relation specs are the resolvers' own (resolvers/schema.resolvers.go): a field
// the compiler serves must answer exactly as its resolver does.

// typeOfKind is the GraphQL object type of each kind.
var typeOfKind = map[pg.Kind]string{
	pg.KindProgramme: "Programme", pg.KindOrganisation: "Organisation", pg.KindEvent: "Event",
	pg.KindPublication: "Publication", pg.KindTopic: "Topic", pg.KindPlace: "Place", pg.KindPerson: "Person",
}

// kindOfType is the inverse of typeOfKind.
var kindOfType = func() map[string]pg.Kind {
	out := map[string]pg.Kind{}
	for k, t := range typeOfKind {
		out[t] = k
	}
	return out
}()

// abstract lists the interfaces and unions and the kinds they may hold.
var abstract = map[string][]pg.Kind{
	"Node":        pg.Kinds,
	"Participant": {pg.KindOrganisation, pg.KindPerson},
}

// satisfies lists, for field collection, the names a value of a kind answers to.
func satisfies(k pg.Kind) []string {
	s := []string{typeOfKind[k], "Node"}
	if k == pg.KindOrganisation || k == pg.KindPerson {
		s = append(s, "Participant")
	}
	return s
}

// edgeShape says what a connection's edges carry besides cursor and node.
type edgeShape int

const (
	edgePlain       edgeShape = iota // cursor, node
	edgeRole                         // + role
	edgeRoleRelated                  // + role, relation (the relationship type)
	edgeTitle                        // + title (affiliations)
)

// relField is one relation field of an entity type.
type relField struct {
	types    []pg.RelType
	outgoing bool
	kind     pg.Kind // kind of the related entities; "" for organisations and people
	within   bool    // a place's events include those held in the places inside it
	one      bool    // a single entity, not a connection
	edge     edgeShape
	nodes    bool // the connection also has a nodes list
	filtered bool // takes filter and orderBy
	roles    bool // takes roles
	// noneFor: the field is null for parents whose stored kind property has this value (a
	// country has no country).
	noneFor string
}

func rel(types []pg.RelType, outgoing bool, kind pg.Kind) relField {
	return relField{types: types, outgoing: outgoing, kind: kind, nodes: kind != ""}
}

func (f relField) single() relField              { f.one = true; return f }
func (f relField) with(e edgeShape) relField     { f.edge, f.nodes = e, false; return f }
func (f relField) filters() relField             { f.filtered = true; return f }
func (f relField) withRoles() relField           { f.roles = true; return f }
func (f relField) withinPlaces() relField        { f.within = true; return f }
func (f relField) noneWhen(kind string) relField { f.noneFor = kind; return f }

type types = []pg.RelType

var (
	organised = types{pg.RelOrganised}
	attended  = types{pg.RelAttended}
	partOf    = types{pg.RelPartOf}
	about     = types{pg.RelAbout}
	inProg    = types{pg.RelInProgramme}
	located   = types{pg.RelLocatedIn}
)

// relFields are the relation fields of each entity type. Organisation.collaborators is not
// here: it ranks a whole neighbourhood and is served by its resolver (see README).
var relFields = map[string]map[string]relField{
	"Event": {
		"place":        rel(types{pg.RelHeldIn}, true, pg.KindPlace).single(),
		"partOf":       rel(partOf, true, pg.KindEvent).single(),
		"parts":        rel(partOf, false, pg.KindEvent),
		"programme":    rel(inProg, true, pg.KindProgramme).single(),
		"topics":       rel(about, true, pg.KindTopic),
		"organisers":   rel(organised, false, "").with(edgeRole).withRoles(),
		"participants": rel(attended, false, "").with(edgeRole).withRoles(),
		"publications": rel(types{pg.RelLaunchedAt, pg.RelSummarises}, false, pg.KindPublication),
		"launches":     rel(types{pg.RelLaunchedAt}, false, pg.KindPublication),
		"summaries":    rel(types{pg.RelSummarises}, false, pg.KindPublication),
	},
	"Organisation": {
		"parent":       rel(partOf, true, pg.KindOrganisation).single(),
		"units":        rel(partOf, false, pg.KindOrganisation),
		"location":     rel(located, true, pg.KindPlace).single(),
		"supporters":   rel(types{pg.RelSupports}, false, "").with(edgeRole),
		"priorities":   rel(types{pg.RelPrioritises}, true, pg.KindTopic),
		"events":       rel(types{pg.RelOrganised, pg.RelAttended}, true, pg.KindEvent).with(edgeRoleRelated).withRoles().filters(),
		"publications": rel(types{pg.RelPublished}, true, pg.KindPublication).with(edgeRole).withRoles().filters(),
		"programmes":   rel(types{pg.RelRuns}, true, pg.KindProgramme).with(edgeRole).withRoles(),
		"people":       rel(types{pg.RelAffiliatedWith}, false, pg.KindPerson),
	},
	"Programme": {
		"partners":     rel(types{pg.RelRuns}, false, "").with(edgeRole).withRoles(),
		"events":       rel(inProg, false, pg.KindEvent).filters(),
		"publications": rel(inProg, false, pg.KindPublication).filters(),
		"topics":       rel(about, true, pg.KindTopic),
	},
	"Publication": {
		"publishers": rel(types{pg.RelPublished}, false, "").with(edgeRole).withRoles(),
		"programme":  rel(inProg, true, pg.KindProgramme).single(),
		"topics":     rel(about, true, pg.KindTopic),
		"summarises": rel(types{pg.RelSummarises}, true, pg.KindEvent),
		"launchedAt": rel(types{pg.RelLaunchedAt}, true, pg.KindEvent),
		"features":   rel(types{pg.RelFeatures}, true, pg.KindPerson),
		"partOf":     rel(partOf, true, pg.KindPublication).single(),
	},
	"Topic": {
		"events":        rel(about, false, pg.KindEvent).filters(),
		"publications":  rel(about, false, pg.KindPublication).filters(),
		"prioritisedBy": rel(types{pg.RelPrioritises}, false, pg.KindOrganisation),
	},
	"Place": {
		"country":       rel(located, true, pg.KindPlace).single().noneWhen("COUNTRY"),
		"events":        rel(types{pg.RelHeldIn}, false, pg.KindEvent).withinPlaces().filters(),
		"organisations": rel(located, false, pg.KindOrganisation),
	},
	"Person": {
		"affiliations": rel(types{pg.RelAffiliatedWith}, true, pg.KindOrganisation).with(edgeTitle),
		"events":       rel(types{pg.RelOrganised, pg.RelAttended}, true, pg.KindEvent).with(edgeRoleRelated).withRoles(),
	},
}

// dateTimes are the properties served as DateTime (the rest are strings, numbers and enums).
var dateTimes = map[string]bool{"createdAt": true, "updatedAt": true}
