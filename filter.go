package partnergraph

// NodeFilter narrows a list of entities of one kind. Unset fields do not filter. How a filter
// applies depends on the kind; see the GraphQL schema's documentation of each filter input.
type NodeFilter struct {
	Kind          Kind
	SubKinds      []string // organisation, event, publication or place kinds
	Status        *Status  // only for viewers who see drafts
	Topic         *string  // topic id
	Place         *string  // place id; a country includes its cities
	Country       *string  // ISO 3166-1 alpha-2 code
	Organisation  *string  // organisation id taking part (with one of Roles, if given)
	Organisations []string // organisation ids that all took part (events, publications, programmes)
	Roles         []Role
	Programme     *string // programme id
	From          *Date
	To            *Date
	Text          *string // words in titles, names, summaries and bodies
	OrderBy       Order
}

// OrderField names a sort key.
type OrderField string

// Sort keys for lists. Count keys rank by relations, highest first by default.
const (
	OrderName                  OrderField = "NAME"
	OrderDate                  OrderField = "DATE"
	OrderCreatedAt             OrderField = "CREATED_AT"
	OrderUpdatedAt             OrderField = "UPDATED_AT"
	OrderEventCount            OrderField = "EVENT_COUNT"
	OrderPublicationCount      OrderField = "PUBLICATION_COUNT"
	OrderCoOrganisedEventCount OrderField = "CO_ORGANISED_EVENT_COUNT"
)

// Order is a sort key and direction.
type Order struct {
	Field OrderField
	Desc  bool
}

// NodeInput carries the fields of a create or update. Fields holds only the fields the client
// sent: a key with a nil value clears an optional field. Keys and values are checked by
// CheckInput against the kind's field specs.
type NodeInput struct {
	Kind   Kind
	Fields map[string]any
	// Links are relations to create with the entity, in the same transaction. In each, the
	// empty From or To stands for the new entity.
	Links []Relation
}

// FieldType says how an input field is checked and stored.
type FieldType int

// Field types.
const (
	FieldString FieldType = iota // one line of text
	FieldText                    // long text
	FieldDate                    // a Date
	FieldURL                     // an absolute http(s) URL
	FieldEnum                    // one of Enum
	FieldInt                     // a non-negative integer
	FieldSlug                    // lower-case kebab
	FieldStatus                  // DRAFT or PUBLISHED
)

// FieldSpec describes one property of an entity kind.
type FieldSpec struct {
	Name     string
	Type     FieldType
	Required bool
	Enum     []string
	Max      int // maximum length of strings
}

func enumStrings[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// commonFields are on every kind.
var commonFields = []FieldSpec{
	{Name: "id", Type: FieldSlug, Max: 120},
	{Name: "slug", Type: FieldSlug, Required: true, Max: 100},
	{Name: "status", Type: FieldStatus},
}

// KindFields lists the properties each kind stores, beyond id, slug and status.
var KindFields = map[Kind][]FieldSpec{
	KindOrganisation: {
		{Name: "name", Type: FieldString, Required: true, Max: 300},
		{Name: "shortName", Type: FieldString, Max: 60},
		{Name: "kind", Type: FieldEnum, Required: true, Enum: enumStrings(OrganisationKinds)},
		{Name: "description", Type: FieldText, Max: 20000},
		{Name: "website", Type: FieldURL, Max: 500},
		{Name: "founded", Type: FieldDate},
	},
	KindProgramme: {
		{Name: "title", Type: FieldString, Required: true, Max: 300},
		{Name: "summary", Type: FieldText, Max: 2000},
		{Name: "body", Type: FieldText, Max: 100000},
		{Name: "startDate", Type: FieldDate},
		{Name: "endDate", Type: FieldDate},
	},
	KindEvent: {
		{Name: "title", Type: FieldString, Required: true, Max: 300},
		{Name: "kind", Type: FieldEnum, Required: true, Enum: enumStrings(EventKinds)},
		{Name: "format", Type: FieldEnum, Enum: enumStrings(EventFormats)},
		{Name: "startDate", Type: FieldDate},
		{Name: "endDate", Type: FieldDate},
		{Name: "summary", Type: FieldText, Max: 2000},
		{Name: "body", Type: FieldText, Max: 100000},
	},
	KindPublication: {
		{Name: "title", Type: FieldString, Required: true, Max: 300},
		{Name: "shortName", Type: FieldString, Max: 60},
		{Name: "kind", Type: FieldEnum, Required: true, Enum: enumStrings(PublicationKinds)},
		{Name: "published", Type: FieldDate},
		{Name: "summary", Type: FieldText, Max: 2000},
		{Name: "body", Type: FieldText, Max: 100000},
		{Name: "itemCount", Type: FieldInt},
		{Name: "issue", Type: FieldString, Max: 40},
	},
	KindTopic: {
		{Name: "name", Type: FieldString, Required: true, Max: 300},
		{Name: "description", Type: FieldText, Max: 2000},
	},
	KindPlace: {
		{Name: "name", Type: FieldString, Required: true, Max: 200},
		{Name: "kind", Type: FieldEnum, Required: true, Enum: enumStrings(PlaceKinds)},
		{Name: "countryCode", Type: FieldString, Max: 2},
	},
	KindPerson: {
		{Name: "name", Type: FieldString, Required: true, Max: 200},
	},
}

// DateRanges lists, per kind, the pairs of date fields that must be in order (start <= end).
var DateRanges = map[Kind][][2]string{
	KindProgramme: {{"startDate", "endDate"}},
	KindEvent:     {{"startDate", "endDate"}},
}

// Fields returns every field spec of the kind, common fields first.
func (k Kind) Fields() []FieldSpec {
	return append(append([]FieldSpec{}, commonFields...), KindFields[k]...)
}
