// Package seed reads dataset files (seed/data/*.yaml, format in seed/FORMAT.md), checks them
// against the domain's rules, and hands the entities and relations to a pg.ImportService.
// It knows nothing of Neo4j.
package seed

import (
	"bytes"
	"context"
	_ "embed" // the dataset is built into the binary
	"errors"
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"

	pg "github.com/unicri/partnergraph"
)

//go:embed data/centre.yaml
var centre []byte

// Centre returns the curated dataset of the UNICRI Centre for AI and Robotics, built into the
// binary so `partnergraph seed` works from anywhere.
func Centre() []byte { return centre }

// File is a dataset file.
type File struct {
	Version       int            `yaml:"version"`
	Source        string         `yaml:"source"`
	Topics        []Topic        `yaml:"topics"`
	Places        []Place        `yaml:"places"`
	Organisations []Organisation `yaml:"organisations"`
	People        []Person       `yaml:"people"`
	Programmes    []Programme    `yaml:"programmes"`
	Events        []Event        `yaml:"events"`
	Publications  []Publication  `yaml:"publications"`
}

// Common holds the fields every entry has.
type Common struct {
	ID     string `yaml:"id"`
	Slug   string `yaml:"slug"`
	Status string `yaml:"status"`
}

// Topic is a topics entry.
type Topic struct {
	Common      `yaml:",inline"`
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
}

// Place is a places entry.
type Place struct {
	Common      `yaml:",inline"`
	Name        string `yaml:"name"`
	Kind        string `yaml:"kind"`
	CountryCode string `yaml:"countryCode"`
	In          string `yaml:"in"`
}

// Ref points at an organisation or a person, with a role or title.
type Ref struct {
	Org    string `yaml:"org"`
	Person string `yaml:"person"`
	Role   string `yaml:"role"`
	Title  string `yaml:"title"`
}

// Organisation is an organisations entry.
type Organisation struct {
	Common      `yaml:",inline"`
	Name        string   `yaml:"name"`
	ShortName   string   `yaml:"shortName"`
	Kind        string   `yaml:"kind"`
	Description string   `yaml:"description"`
	Website     string   `yaml:"website"`
	Founded     string   `yaml:"founded"`
	PartOf      string   `yaml:"partOf"`
	LocatedIn   string   `yaml:"locatedIn"`
	SupportedBy []Ref    `yaml:"supportedBy"`
	Priorities  []string `yaml:"priorities"`
}

// Person is a people entry.
type Person struct {
	Common       `yaml:",inline"`
	Name         string `yaml:"name"`
	Affiliations []Ref  `yaml:"affiliations"`
}

// Programme is a programmes entry.
type Programme struct {
	Common    `yaml:",inline"`
	Title     string   `yaml:"title"`
	Summary   string   `yaml:"summary"`
	Body      string   `yaml:"body"`
	StartDate string   `yaml:"startDate"`
	EndDate   string   `yaml:"endDate"`
	RunBy     []Ref    `yaml:"runBy"`
	Topics    []string `yaml:"topics"`
}

// Event is an events entry.
type Event struct {
	Common       `yaml:",inline"`
	Title        string   `yaml:"title"`
	Kind         string   `yaml:"kind"`
	Format       string   `yaml:"format"`
	StartDate    string   `yaml:"startDate"`
	EndDate      string   `yaml:"endDate"`
	Summary      string   `yaml:"summary"`
	Body         string   `yaml:"body"`
	Place        string   `yaml:"place"`
	PartOf       string   `yaml:"partOf"`
	Programme    string   `yaml:"programme"`
	Topics       []string `yaml:"topics"`
	Organisers   []Ref    `yaml:"organisers"`
	Participants []Ref    `yaml:"participants"`
}

// Publication is a publications entry.
type Publication struct {
	Common     `yaml:",inline"`
	Title      string   `yaml:"title"`
	ShortName  string   `yaml:"shortName"`
	Kind       string   `yaml:"kind"`
	Published  string   `yaml:"published"`
	Summary    string   `yaml:"summary"`
	Body       string   `yaml:"body"`
	ItemCount  *int     `yaml:"itemCount"`
	Issue      string   `yaml:"issue"`
	Programme  string   `yaml:"programme"`
	Topics     []string `yaml:"topics"`
	Publishers []Ref    `yaml:"publishers"`
	Summarises []string `yaml:"summarises"`
	LaunchedAt []string `yaml:"launchedAt"`
	About      []string `yaml:"about"`
	PartOf     string   `yaml:"partOf"`
}

// Parse decodes a dataset file strictly: unknown fields are errors, with their line.
func Parse(r io.Reader) (*File, error) {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, pg.Errorf(pg.EINVALID, "dataset: %v", err)
	}
	if f.Version != 1 {
		return nil, pg.Errorf(pg.EINVALID, "dataset: version must be 1, not %d", f.Version)
	}
	return &f, nil
}

// Dataset is a checked dataset, ready to import.
type Dataset struct {
	Nodes     []pg.ImportNode
	Relations []pg.Relation
}

// ValidationError lists every problem found in a dataset, each naming its entry and field.
type ValidationError struct{ Problems []string }

func (e *ValidationError) Error() string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "dataset has %d problem(s):", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  - " + p)
	}
	return b.String()
}

// Load parses and checks a dataset file.
func Load(r io.Reader) (*Dataset, error) {
	f, err := Parse(r)
	if err != nil {
		return nil, err
	}
	return f.Check()
}

// Import loads a dataset into the store. Importing it twice creates nothing the second time.
func Import(ctx context.Context, s pg.ImportService, d *Dataset, batchSize int) (pg.ImportResult, error) {
	res, err := s.Import(ctx, d.Nodes, d.Relations, batchSize)
	if err != nil {
		return res, err
	}
	return res, s.Finish(ctx)
}

// entry is one entry being checked: where it is, what it is, its fields and its relations.
type entry struct {
	where string // e.g. "events[3] (evt-foo)"
	kind  pg.Kind
	id    string
	input map[string]any
	rels  []rel
}

// rel is a relation written on an entry, before its ends are checked.
type rel struct {
	field string
	r     pg.Relation
}

func opt(m map[string]any, key, v string) {
	if v != "" {
		m[key] = v
	}
}

func common(c Common) map[string]any {
	m := map[string]any{}
	opt(m, "id", c.ID)
	opt(m, "slug", c.Slug)
	opt(m, "status", c.Status)
	return m
}

// Check applies the domain's field rules to every entry, checks ids are unique, every reference
// points at an entry of a kind the relation accepts, and returns the dataset.
func (f *File) Check() (*Dataset, error) {
	var entries []*entry
	add := func(list string, i int, kind pg.Kind, c Common, in map[string]any) *entry {
		e := &entry{where: fmt.Sprintf("%s[%d] (%s)", list, i, c.ID), kind: kind, id: c.ID, input: in}
		entries = append(entries, e)
		return e
	}
	link := func(e *entry, field string, t pg.RelType, from, to string, role, title string) {
		r := pg.Relation{Type: t, From: from, To: to, Role: pg.Role(role)}
		if title != "" {
			r.Title = &title
		}
		e.rels = append(e.rels, rel{field: field, r: r})
	}
	out := func(e *entry, field string, t pg.RelType, to string) {
		if to != "" {
			link(e, field, t, e.id, to, "", "")
		}
	}
	for i, x := range f.Topics {
		m := common(x.Common)
		opt(m, "name", x.Name)
		opt(m, "description", x.Description)
		add("topics", i, pg.KindTopic, x.Common, m)
	}
	for i, x := range f.Places {
		m := common(x.Common)
		opt(m, "name", x.Name)
		opt(m, "kind", x.Kind)
		opt(m, "countryCode", x.CountryCode)
		e := add("places", i, pg.KindPlace, x.Common, m)
		out(e, "in", pg.RelLocatedIn, x.In)
	}
	refs := func(e *entry, field string, t pg.RelType, rs []Ref, incoming bool) {
		for j, r := range rs {
			other := r.Org
			if r.Person != "" {
				other = r.Person
			}
			f := fmt.Sprintf("%s[%d]", field, j)
			if incoming {
				link(e, f, t, other, e.id, r.Role, r.Title)
			} else {
				link(e, f, t, e.id, other, r.Role, r.Title)
			}
		}
	}
	for i, x := range f.Organisations {
		m := common(x.Common)
		opt(m, "name", x.Name)
		opt(m, "shortName", x.ShortName)
		opt(m, "kind", x.Kind)
		opt(m, "description", x.Description)
		opt(m, "website", x.Website)
		opt(m, "founded", x.Founded)
		e := add("organisations", i, pg.KindOrganisation, x.Common, m)
		out(e, "partOf", pg.RelPartOf, x.PartOf)
		out(e, "locatedIn", pg.RelLocatedIn, x.LocatedIn)
		refs(e, "supportedBy", pg.RelSupports, x.SupportedBy, true)
		for _, t := range x.Priorities {
			out(e, "priorities", pg.RelPrioritises, t)
		}
	}
	for i, x := range f.People {
		m := common(x.Common)
		opt(m, "name", x.Name)
		e := add("people", i, pg.KindPerson, x.Common, m)
		refs(e, "affiliations", pg.RelAffiliatedWith, x.Affiliations, false)
	}
	for i, x := range f.Programmes {
		m := common(x.Common)
		opt(m, "title", x.Title)
		opt(m, "summary", x.Summary)
		opt(m, "body", x.Body)
		opt(m, "startDate", x.StartDate)
		opt(m, "endDate", x.EndDate)
		e := add("programmes", i, pg.KindProgramme, x.Common, m)
		refs(e, "runBy", pg.RelRuns, x.RunBy, true)
		for _, t := range x.Topics {
			out(e, "topics", pg.RelAbout, t)
		}
	}
	for i, x := range f.Events {
		m := common(x.Common)
		opt(m, "title", x.Title)
		opt(m, "kind", x.Kind)
		opt(m, "format", x.Format)
		opt(m, "startDate", x.StartDate)
		opt(m, "endDate", x.EndDate)
		opt(m, "summary", x.Summary)
		opt(m, "body", x.Body)
		e := add("events", i, pg.KindEvent, x.Common, m)
		out(e, "place", pg.RelHeldIn, x.Place)
		out(e, "partOf", pg.RelPartOf, x.PartOf)
		out(e, "programme", pg.RelInProgramme, x.Programme)
		for _, t := range x.Topics {
			out(e, "topics", pg.RelAbout, t)
		}
		refs(e, "organisers", pg.RelOrganised, x.Organisers, true)
		refs(e, "participants", pg.RelAttended, x.Participants, true)
	}
	for i, x := range f.Publications {
		m := common(x.Common)
		opt(m, "title", x.Title)
		opt(m, "shortName", x.ShortName)
		opt(m, "kind", x.Kind)
		opt(m, "published", x.Published)
		opt(m, "summary", x.Summary)
		opt(m, "body", x.Body)
		opt(m, "issue", x.Issue)
		if x.ItemCount != nil {
			m["itemCount"] = *x.ItemCount
		}
		e := add("publications", i, pg.KindPublication, x.Common, m)
		out(e, "programme", pg.RelInProgramme, x.Programme)
		out(e, "partOf", pg.RelPartOf, x.PartOf)
		for _, t := range x.Topics {
			out(e, "topics", pg.RelAbout, t)
		}
		refs(e, "publishers", pg.RelPublished, x.Publishers, true)
		for _, t := range x.Summarises {
			out(e, "summarises", pg.RelSummarises, t)
		}
		for _, t := range x.LaunchedAt {
			out(e, "launchedAt", pg.RelLaunchedAt, t)
		}
		for _, t := range x.About {
			out(e, "about", pg.RelFeatures, t)
		}
	}
	return check(entries)
}

func check(entries []*entry) (*Dataset, error) {
	var problems []string
	kinds := map[string]pg.Kind{}
	slugs := map[string]string{}
	d := &Dataset{}
	for _, e := range entries {
		if e.id == "" {
			problems = append(problems, e.where+": id: id is required")
			continue
		}
		if other, dup := kinds[e.id]; dup {
			problems = append(problems, fmt.Sprintf("%s: id: %q is already used by a %s", e.where, e.id, other))
			continue
		}
		kinds[e.id] = e.kind
		props, err := pg.CheckInput(pg.NodeInput{Kind: e.kind, Fields: e.input}, true, nil)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %s: %s", e.where, pg.ErrorField(err), pg.ErrorMessage(err)))
			continue
		}
		slugKey := string(e.kind) + "/" + e.input["slug"].(string)
		if other, dup := slugs[slugKey]; dup {
			problems = append(problems, fmt.Sprintf("%s: slug: %q is already used by %s", e.where, e.input["slug"], other))
		}
		slugs[slugKey] = e.id
		d.Nodes = append(d.Nodes, pg.ImportNode{Kind: e.kind, Props: props})
	}
	for _, e := range entries {
		for _, r := range e.rels {
			from, to := kinds[r.r.From], kinds[r.r.To]
			for _, end := range []string{r.r.From, r.r.To} {
				if kinds[end] == "" {
					problems = append(problems, fmt.Sprintf("%s: %s: no entry has id %q", e.where, r.field, end))
				}
			}
			if from == "" || to == "" {
				continue
			}
			rr := r.r
			if err := rr.Check(from, to); err != nil {
				problems = append(problems, fmt.Sprintf("%s: %s: %s", e.where, r.field, pg.ErrorMessage(err)))
				continue
			}
			d.Relations = append(d.Relations, rr)
		}
	}
	if len(problems) > 0 {
		return nil, &ValidationError{Problems: problems}
	}
	return d, nil
}

// IsValidationError reports whether err lists dataset problems.
func IsValidationError(err error) bool {
	var v *ValidationError
	return errors.As(err, &v)
}
