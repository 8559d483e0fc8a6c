package partnergraph

import "slices"

// RelType is a relationship type in the graph. The set is closed: RelTypes lists every type with
// the kinds it joins and the roles it accepts, and nothing else is ever written.
type RelType string

// Relationship types.
const (
	RelOrganised      RelType = "ORGANISED"       // Organisation|Person -> Event      {role}
	RelAttended       RelType = "ATTENDED"        // Organisation|Person -> Event      {role}
	RelPublished      RelType = "PUBLISHED"       // Organisation -> Publication       {role}
	RelRuns           RelType = "RUNS"            // Organisation -> Programme         {role}
	RelSupports       RelType = "SUPPORTS"        // Organisation -> Organisation      {role}
	RelPartOf         RelType = "PART_OF"         // unit -> organisation, panel -> summit, issue -> periodical
	RelLocatedIn      RelType = "LOCATED_IN"      // Organisation|Place -> Place
	RelHeldIn         RelType = "HELD_IN"         // Event -> Place
	RelAbout          RelType = "ABOUT"           // Event|Publication|Programme -> Topic
	RelPrioritises    RelType = "PRIORITISES"     // Organisation -> Topic
	RelInProgramme    RelType = "IN_PROGRAMME"    // Event|Publication -> Programme
	RelSummarises     RelType = "SUMMARISES"      // Publication -> Event
	RelLaunchedAt     RelType = "LAUNCHED_AT"     // Publication -> Event
	RelAffiliatedWith RelType = "AFFILIATED_WITH" // Person -> Organisation            {title}
	RelFeatures       RelType = "FEATURES"        // Publication -> Person
)

// Role qualifies a relation: how an organisation or person took part.
type Role string

// Roles.
const (
	RoleOrganiser   Role = "ORGANISER"
	RoleCoOrganiser Role = "CO_ORGANISER"
	RoleHost        Role = "HOST"
	RoleSupporter   Role = "SUPPORTER"
	RoleFunder      Role = "FUNDER"
	RolePartner     Role = "PARTNER"
	RoleParticipant Role = "PARTICIPANT"
	RolePresenter   Role = "PRESENTER"
	RoleSpeaker     Role = "SPEAKER"
	RolePublisher   Role = "PUBLISHER"
	RoleCoPublisher Role = "CO_PUBLISHER"
)

// OrganisingRoles are the roles that make an organisation one of an event's organisers: two
// organisations with such roles on one event co-organised it.
var OrganisingRoles = []Role{RoleOrganiser, RoleCoOrganiser, RoleHost}

// RelSpec describes one relationship type: which kinds it joins and which roles it takes.
type RelSpec struct {
	Type  RelType
	From  []Kind
	To    []Kind
	Roles []Role // empty: the relation has no role
	// DefaultRole is used when a role-bearing relation is written without one.
	DefaultRole Role
}

// RelTypes is the closed set of relationship types.
var RelTypes = []RelSpec{
	{RelOrganised, []Kind{KindOrganisation, KindPerson}, []Kind{KindEvent}, []Role{RoleOrganiser, RoleCoOrganiser, RoleHost, RoleSupporter, RoleFunder}, RoleOrganiser},
	{RelAttended, []Kind{KindOrganisation, KindPerson}, []Kind{KindEvent}, []Role{RoleParticipant, RolePresenter, RoleSpeaker}, RoleParticipant},
	{RelPublished, []Kind{KindOrganisation}, []Kind{KindPublication}, []Role{RolePublisher, RoleCoPublisher, RolePartner}, RolePublisher},
	{RelRuns, []Kind{KindOrganisation}, []Kind{KindProgramme}, []Role{RoleOrganiser, RolePartner, RoleSupporter, RoleFunder}, RoleOrganiser},
	{RelSupports, []Kind{KindOrganisation}, []Kind{KindOrganisation}, []Role{RoleSupporter, RoleFunder}, RoleSupporter},
	{RelPartOf, []Kind{KindOrganisation, KindEvent, KindPublication}, []Kind{KindOrganisation, KindEvent, KindPublication}, nil, ""},
	{RelLocatedIn, []Kind{KindOrganisation, KindPlace}, []Kind{KindPlace}, nil, ""},
	{RelHeldIn, []Kind{KindEvent}, []Kind{KindPlace}, nil, ""},
	{RelAbout, []Kind{KindEvent, KindPublication, KindProgramme}, []Kind{KindTopic}, nil, ""},
	{RelPrioritises, []Kind{KindOrganisation}, []Kind{KindTopic}, nil, ""},
	{RelInProgramme, []Kind{KindEvent, KindPublication}, []Kind{KindProgramme}, nil, ""},
	{RelSummarises, []Kind{KindPublication}, []Kind{KindEvent}, nil, ""},
	{RelLaunchedAt, []Kind{KindPublication}, []Kind{KindEvent}, nil, ""},
	{RelAffiliatedWith, []Kind{KindPerson}, []Kind{KindOrganisation}, nil, ""},
	{RelFeatures, []Kind{KindPublication}, []Kind{KindPerson}, nil, ""},
}

// LookupRelType returns the spec of t, or false if t is not a known type.
func LookupRelType(t RelType) (RelSpec, bool) {
	for _, s := range RelTypes {
		if s.Type == t {
			return s, true
		}
	}
	return RelSpec{}, false
}

// Relation is one relationship between two entities, with its properties.
type Relation struct {
	Type  RelType
	From  string // id of the start node
	To    string // id of the end node
	Role  Role
	Title *string // job title, for AFFILIATED_WITH
	Since *Date
	Until *Date
}

// Check validates the relation against its spec given the kinds of its ends, filling in the
// default role. Returns EINVALID naming the field at fault.
func (r *Relation) Check(from, to Kind) error {
	spec, ok := LookupRelType(r.Type)
	if !ok {
		return FieldErrorf(EINVALID, "type", "unknown relation type %q", r.Type)
	}
	if from != "" && !slices.Contains(spec.From, from) {
		return FieldErrorf(EINVALID, "from", "a %s relation cannot start at a %s", r.Type, from)
	}
	if to != "" && !slices.Contains(spec.To, to) {
		return FieldErrorf(EINVALID, "to", "a %s relation cannot end at a %s", r.Type, to)
	}
	if len(spec.Roles) == 0 && r.Role != "" {
		return FieldErrorf(EINVALID, "role", "a %s relation has no role", r.Type)
	}
	if len(spec.Roles) > 0 {
		if r.Role == "" {
			r.Role = spec.DefaultRole
		}
		if !slices.Contains(spec.Roles, r.Role) {
			return FieldErrorf(EINVALID, "role", "role %s is not allowed on %s (allowed: %v)", r.Role, r.Type, spec.Roles)
		}
	}
	if r.Title != nil && r.Type != RelAffiliatedWith {
		return FieldErrorf(EINVALID, "title", "only AFFILIATED_WITH relations have a title")
	}
	if r.From == r.To && r.From != "" {
		return FieldErrorf(EINVALID, "to", "a relation cannot join an entity to itself")
	}
	if r.Since != nil && r.Until != nil && r.Until.End() < r.Since.Start() {
		return FieldErrorf(EINVALID, "until", "until is before since")
	}
	return nil
}
