package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/internal/neo4jtest"
	"github.com/unicri/partnergraph/neo4jstore"
)

// Drafts of every kind, each tied to published content so that a leak would show: the draft
// organisation co-organised the Singapore meeting with UNICRI and INTERPOL, the draft topic is
// what a published event is about, and so on.
var draftIDs = map[pg.Kind]string{
	pg.KindOrganisation: "org-draft-oracle", pg.KindTopic: "topic-draft-oracle", pg.KindPlace: "place-draft-oracle",
	pg.KindProgramme: "prog-draft-oracle", pg.KindEvent: "evt-draft-oracle", pg.KindPublication: "pub-draft-oracle",
	pg.KindPerson: "person-draft-oracle",
}

// missingID is an id of the same shape that no entity has.
func missingID(kind pg.Kind) string { return strings.Replace(draftIDs[kind], "draft", "absnt", 1) }

func addOracleDrafts(t *testing.T, db *neo4jstore.DB) {
	t.Helper()
	const meeting, unicri, interpol = "evt-2018-interpol-unicri-global-meeting-singapore", "org-unicri", "org-interpol"
	rel := func(typ pg.RelType, from, to string, role pg.Role) pg.Relation {
		return pg.Relation{Type: typ, From: from, To: to, Role: role}
	}
	drafts := []pg.NodeInput{
		{Kind: pg.KindOrganisation, Fields: map[string]any{"id": draftIDs[pg.KindOrganisation], "slug": "draft-oracle-org", "name": "Draft Oracle Org", "kind": "OTHER", "status": "DRAFT", "shortName": "DOO"},
			Links: []pg.Relation{rel(pg.RelOrganised, "", meeting, pg.RoleCoOrganiser), rel(pg.RelPartOf, "", unicri, ""),
				rel(pg.RelLocatedIn, "", "place-singapore", ""), rel(pg.RelPrioritises, "", "topic-artificial-intelligence", ""),
				rel(pg.RelPublished, "", "pub-ai-robotics-for-law-enforcement-report", pg.RoleCoPublisher), rel(pg.RelRuns, "", "prog-ai-for-safer-children", pg.RolePartner),
				rel(pg.RelOrganised, "", "evt-ai-for-good-summit-geneva", pg.RoleHost)}},
		{Kind: pg.KindTopic, Fields: map[string]any{"id": draftIDs[pg.KindTopic], "slug": "draft-oracle-topic", "name": "Draft Oracle Topic", "status": "DRAFT"},
			Links: []pg.Relation{rel(pg.RelAbout, meeting, "", ""), rel(pg.RelPrioritises, unicri, "", ""), rel(pg.RelAbout, "pub-ai-robotics-for-law-enforcement-report", "", "")}},
		{Kind: pg.KindPlace, Fields: map[string]any{"id": draftIDs[pg.KindPlace], "slug": "draft-oracle-place", "name": "Draft Oracle City", "kind": "CITY", "status": "DRAFT", "countryCode": "ZZ"},
			Links: []pg.Relation{rel(pg.RelHeldIn, meeting, "", ""), rel(pg.RelLocatedIn, interpol, "", "")}},
		{Kind: pg.KindProgramme, Fields: map[string]any{"id": draftIDs[pg.KindProgramme], "slug": "draft-oracle-programme", "title": "Draft Oracle Programme", "status": "DRAFT"},
			Links: []pg.Relation{rel(pg.RelInProgramme, meeting, "", ""), rel(pg.RelRuns, unicri, "", pg.RoleOrganiser), rel(pg.RelInProgramme, "pub-ai-robotics-for-law-enforcement-report", "", "")}},
		{Kind: pg.KindEvent, Fields: map[string]any{"id": draftIDs[pg.KindEvent], "slug": "draft-oracle-event", "title": "Draft Oracle Event", "kind": "MEETING", "status": "DRAFT", "startDate": "2019-03-01"},
			Links: []pg.Relation{rel(pg.RelOrganised, unicri, "", pg.RoleOrganiser), rel(pg.RelOrganised, interpol, "", pg.RoleCoOrganiser),
				rel(pg.RelAbout, "", "topic-artificial-intelligence", ""), rel(pg.RelHeldIn, "", "place-singapore", "")}},
		{Kind: pg.KindPublication, Fields: map[string]any{"id": draftIDs[pg.KindPublication], "slug": "draft-oracle-publication", "title": "Draft Oracle Publication", "kind": "REPORT", "status": "DRAFT", "published": "2019"},
			Links: []pg.Relation{rel(pg.RelPublished, unicri, "", pg.RolePublisher), rel(pg.RelPublished, interpol, "", pg.RoleCoPublisher),
				rel(pg.RelLaunchedAt, "", meeting, ""), rel(pg.RelAbout, "", "topic-artificial-intelligence", "")}},
		{Kind: pg.KindPerson, Fields: map[string]any{"id": draftIDs[pg.KindPerson], "slug": "draft-oracle-person", "name": "Draft Oracle Person", "status": "DRAFT"},
			Links: []pg.Relation{rel(pg.RelAffiliatedWith, "", unicri, ""), rel(pg.RelOrganised, "", meeting, pg.RoleSupporter)}},
	}
	for _, d := range drafts {
		if _, err := db.Content().CreateNode(context.Background(), d); err != nil {
			t.Fatalf("draft %v: %v", d.Fields["id"], err)
		}
	}
}

// introspected is the part of the introspection answer the walk needs.
type typeRef struct {
	Kind   string   `json:"kind"`
	Name   string   `json:"name"`
	OfType *typeRef `json:"ofType"`
}

func (r typeRef) named() typeRef {
	for r.OfType != nil {
		r = *r.OfType
	}
	return r
}

func (r typeRef) list() bool {
	for x := &r; x != nil; x = x.OfType {
		if x.Kind == "LIST" {
			return true
		}
	}
	return false
}

type inputValue struct {
	Name         string  `json:"name"`
	Type         typeRef `json:"type"`
	DefaultValue *string `json:"defaultValue"`
}

type field struct {
	Name string       `json:"name"`
	Args []inputValue `json:"args"`
	Type typeRef      `json:"type"`
}

type schemaType struct {
	Kind          string       `json:"kind"`
	Name          string       `json:"name"`
	Fields        []field      `json:"fields"`
	InputFields   []inputValue `json:"inputFields"`
	PossibleTypes []struct {
		Name string `json:"name"`
	} `json:"possibleTypes"`
}

const introspection = `{ __schema { types { kind name
  fields { name type { ...T } args { name defaultValue type { ...T } } }
  inputFields { name type { ...T } }
  possibleTypes { name } } } }
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }`

// idKinds says which kinds an id argument names, by its name. An argument the walk meets and
// this map does not know fails the test: a new id argument must be placed here to be checked.
var idKinds = map[string][]pg.Kind{
	"topic": {pg.KindTopic}, "place": {pg.KindPlace}, "programme": {pg.KindProgramme},
	"organisation": {pg.KindOrganisation}, "organisations": {pg.KindOrganisation},
	"id": pg.Kinds, "ids": pg.Kinds, "from": pg.Kinds, "to": pg.Kinds, "center": pg.Kinds, "slug": pg.Kinds,
}

// parents reach an object type from the root, through a published entity of it.
var parents = map[string]string{
	"Organisation": `organisation(id: "org-unicri")`, "Event": `event(id: "evt-2018-interpol-unicri-global-meeting-singapore")`,
	"Topic": `topic(id: "topic-artificial-intelligence")`, "Place": `place(id: "place-singapore")`,
	"Programme": `programme(id: "prog-ai-for-safer-children")`, "Person": `person(id: "person-irakli-beridze")`,
	"Publication": `publication(id: "pub-ai-robotics-for-law-enforcement-report")`,
}

// TestHiddenIDsAnswerLikeMissingOnes walks the schema: for every argument (or input field of an
// argument) that takes an entity id, anywhere in the schema, an anonymous caller's answer for
// a draft's id must be the answer for an id that does not exist, byte for byte apart from the
// id. The drafts are tied to published content, so any filter that looked a draft up by id
// without asking whether the caller may see it would answer differently.
func TestHiddenIDsAnswerLikeMissingOnes(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.MustSeedCentre(t, db)
	addOracleDrafts(t, db)
	srv := serve(t, testOptions(db))

	r := post(t, srv, analystKey, introspection, nil)
	var s struct {
		Schema struct {
			Types []schemaType `json:"types"`
		} `json:"__schema"`
	}
	b, _ := json.Marshal(r.mustData(t))
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	types := map[string]schemaType{}
	for _, ty := range s.Schema.Types {
		types[ty.Name] = ty
	}
	sel := selector{types: types}
	checked := 0
	for _, ty := range s.Schema.Types {
		// Subscription.changes streams: its ids are the same filter as Query.changes(ids), checked
		// here, and TestAnAnonymousSubscriberLearnsOfADraftOnlyWhenItIsPublished subscribes to a
		// draft's id.
		if ty.Kind != "OBJECT" || strings.HasPrefix(ty.Name, "__") || ty.Name == "Mutation" || ty.Name == "Subscription" {
			continue
		}
		for _, f := range ty.Fields {
			for _, target := range idTargets(types, f) {
				kinds, ok := idKinds[target.name]
				if !ok {
					t.Errorf("%s.%s: id argument %q has no kinds in idKinds", ty.Name, f.Name, target.path)
					continue
				}
				parent := ""
				if ty.Name != "Query" {
					if parent, ok = parents[ty.Name]; !ok {
						t.Errorf("%s.%s takes an id (%s) but the test has no parent to reach %s through", ty.Name, f.Name, target.path, ty.Name)
						continue
					}
				}
				for _, k := range kinds {
					for _, shape := range target.shapes() {
						doc := func(id string) string {
							call := f.Name + "(" + fieldArgs(f, target, shape(id)) + ")" + sel.of(f.Type, 0)
							if parent != "" {
								call = parent + " { " + call + " }"
							}
							return "{ " + call + " }"
						}
						draft, missing := draftIDs[k], missingID(k)
						if target.name == "slug" {
							draft, missing = slugOf(k), "absnt-"+slugOf(k)
						}
						name := fmt.Sprintf("%s.%s(%s) %s %s", ty.Name, f.Name, target.path, k, shape("X"))
						t.Run(name, func(t *testing.T) {
							a := post(t, srv, "", doc(draft), nil)
							m := post(t, srv, "", doc(missing), nil)
							got := strings.ReplaceAll(string(a.raw), draft, "ID")
							want := strings.ReplaceAll(string(m.raw), missing, "ID")
							if got != want {
								t.Errorf("a draft's id answers differently from a missing id:\n draft:   %.600s\n missing: %.600s\n document: %s", got, want, doc("ID"))
							}
						})
						checked++
					}
				}
			}
		}
	}
	if checked < 50 {
		t.Errorf("only %d id arguments checked: the walk missed the schema", checked)
	}
	// The network export takes its centre by id too.
	for k, draft := range draftIDs {
		a, am := exportBody(t, srv, draft)
		m, mm := exportBody(t, srv, missingID(k))
		if am != mm || strings.ReplaceAll(a, draft, "ID") != strings.ReplaceAll(m, missingID(k), "ID") {
			t.Errorf("export center=%s: draft %d %.200s, missing %d %.200s", k, am, a, mm, m)
		}
	}
}

// slugOf is the slug of the draft of kind k (see addOracleDrafts).
func slugOf(k pg.Kind) string {
	return "draft-oracle-" + map[pg.Kind]string{pg.KindOrganisation: "org", pg.KindTopic: "topic", pg.KindPlace: "place",
		pg.KindProgramme: "programme", pg.KindEvent: "event", pg.KindPublication: "publication", pg.KindPerson: "person"}[k]
}

func exportBody(t *testing.T, srv *httptest.Server, center string) (string, int) {
	t.Helper()
	res, err := http.Get(srv.URL + "/export/network.csv?center=" + center)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b), res.StatusCode
}

// idTarget is one place an id goes: an argument, or a field of an input-object argument.
type idTarget struct {
	arg   string // the field's argument
	input string // the input object's field, or ""
	name  string // the name that says which kinds (the innermost one)
	list  bool
	path  string
}

// shapes are the values to try: an id alone, and for lists the id among published ones
// before and after it (statements may treat the first id of a list apart).
func (t idTarget) shapes() []func(id string) string {
	one := func(id string) string { return fmt.Sprintf("%q", id) }
	if !t.list {
		return []func(string) string{one}
	}
	return []func(string) string{
		func(id string) string { return fmt.Sprintf("[%q]", id) },
		func(id string) string { return fmt.Sprintf("[%q, %q]", "org-unicri", id) },
		func(id string) string { return fmt.Sprintf("[%q, %q]", id, "org-interpol") },
	}
}

func idTargets(types map[string]schemaType, f field) []idTarget {
	var out []idTarget
	for _, a := range f.Args {
		n := a.Type.named()
		switch {
		case n.Name == "ID", n.Name == "String" && a.Name == "slug":
			out = append(out, idTarget{arg: a.Name, name: a.Name, list: a.Type.list(), path: a.Name})
		case n.Kind == "INPUT_OBJECT":
			out = append(out, inputIDTargets(types, a.Name, n.Name, "", 0)...)
		}
	}
	return out
}

// inputIDTargets are the ids inside the input object typeName, nested ones too; input is the
// path to it inside the argument ("" at the argument, else "stats." and so on).
func inputIDTargets(types map[string]schemaType, arg, typeName, input string, depth int) []idTarget {
	var out []idTarget
	for _, in := range types[typeName].InputFields {
		switch n := in.Type.named(); {
		case n.Name == "ID":
			out = append(out, idTarget{arg: arg, input: input + in.Name, name: in.Name, list: in.Type.list(), path: arg + "." + input + in.Name})
		case n.Kind == "INPUT_OBJECT" && depth < 3:
			out = append(out, inputIDTargets(types, arg, n.Name, input+in.Name+".", depth+1)...)
		}
	}
	return out
}

// fieldArgs writes the arguments of f: the target gets value, other required arguments a
// published value.
func fieldArgs(f field, target idTarget, value string) string {
	var args []string
	for _, a := range f.Args {
		switch {
		case a.Name == target.arg && target.input == "":
			args = append(args, a.Name+": "+value)
		case a.Name == target.arg:
			path := strings.Split(target.input, ".")
			v := value
			for i := len(path) - 1; i >= 0; i-- {
				v = "{" + path[i] + ": " + v + "}"
			}
			args = append(args, a.Name+": "+v)
		case a.Type.Kind != "NON_NULL":
		case a.Type.named().Name == "ID" && a.Type.list():
			args = append(args, a.Name+`: ["org-unicri", "org-interpol"]`)
		case a.Type.named().Name == "ID":
			args = append(args, a.Name+`: "org-interpol"`)
		case a.Type.named().Name == "String":
			args = append(args, a.Name+`: "meeting"`)
		}
	}
	sort.Strings(args)
	return strings.Join(args, ", ")
}

// selector writes a selection set that reads everything of a type without arguments, three
// levels deep, but the fields in skip ("Type.field").
type selector struct {
	types map[string]schemaType
	skip  map[string]bool
}

func (s selector) of(ref typeRef, depth int) string {
	n := ref.named()
	ty := s.types[n.Name]
	switch ty.Kind {
	case "SCALAR", "ENUM", "":
		return ""
	case "INTERFACE", "UNION":
		return " { __typename ... on Node { id } }"
	}
	if depth >= 3 {
		for _, f := range ty.Fields {
			if f.Name == "id" {
				return " { id }"
			}
		}
		return " { __typename }"
	}
	var parts []string
	for _, f := range ty.Fields {
		required := false
		for _, a := range f.Args {
			required = required || a.Type.Kind == "NON_NULL" && a.DefaultValue == nil
		}
		if !required && !s.skip[n.Name+"."+f.Name] {
			parts = append(parts, f.Name+s.of(f.Type, depth+1))
		}
	}
	return " { " + strings.Join(parts, " ") + " }"
}
