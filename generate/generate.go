// Package generate builds a deterministic synthetic partner graph of any size, for load and
// query benchmarks (`partnergraph generate`). It owns the shape of that graph and streams it
// as domain values in batches; it imports the standard library and the domain package only and
// hands the batches to a pg.ImportService (the Neo4j store's Importer), nodes before the
// relations that need them.
//
// # Shape
//
// The sizes of organisations, events and publications are given; the rest follows: 80
// countries, 400 cities (the first 80 the capitals) LOCATED_IN them, 60 topics, one person per
// organisation and one programme per thousand organisations (3 to 40). Degrees are skewed as
// in a real partner network: organisers, publishers, programme partners, employers and unit
// parents are drawn with a Zipf law over the organisations, so gen-org-000000 is the biggest
// hub, a few dozen organisations take part in much of the activity and most in a handful of
// events. Cities and topics are drawn with a Zipf law too.
//
//   - Organisation: a kind, a name with real words, often a short name, website and founding
//     year; LOCATED_IN a city; 10% are units PART_OF a bigger (lower-numbered) organisation;
//     PRIORITISES 0-3 topics; 5% are SUPPORTED by a hub (SUPPORTER or FUNDER).
//   - Person: AFFILIATED_WITH one organisation (15% two), with a job title.
//   - Programme: RUNS by 2-6 organisations (the first as ORGANISER), ABOUT 1-3 topics.
//   - Event: a kind, a format, a start date from 2006 to 2025 (more in later years; 35% last
//     several days and have an end date), a title such as "Workshop on Cybercrime and
//     Deepfakes 2014 #123"; ORGANISED by 1-8 organisations (mostly 1-3; the first ORGANISER,
//     the others mostly CO_ORGANISER, some HOST, SUPPORTER or FUNDER); ATTENDED by 0-3 other
//     organisations; 15% have a person speaking or presenting and 3% a person organising;
//     ABOUT 1-3 topics; HELD_IN a city unless held online; 10% IN_PROGRAMME; 2% PART_OF an
//     earlier event.
//   - Publication: a kind, a published date (day, month or year precision), PUBLISHED by 1-4
//     organisations (PUBLISHER, then CO_PUBLISHER or PARTNER), ABOUT 1-3 topics; 8% SUMMARISE
//     and 6% were LAUNCHED_AT an event; 10% IN_PROGRAMME; 3% FEATURE a person; 3% PART_OF an
//     earlier publication.
//   - 2% of events and publications are DRAFT.
//
// Ids are stable and prefixed gen-: gen-country-000, gen-city-000, gen-topic-000,
// gen-org-000000, gen-prog-000, gen-person-000000, gen-evt-0000000, gen-pub-000000; slugs are
// unique per kind. Every entity is generated from its own random stream, seeded from the seed,
// its kind and its number (math/rand/v2 PCG), so the same Config gives the same graph value for
// value whatever the batch size.
//
// # Sizes
//
// Relations per entity are about 6.8 per event, 4.0 per publication and 3.3 per organisation
// (with its person). Totals for seed 1 (Config.Count; other seeds differ by a fraction of a
// percent):
//
//	--organisations   200 --events   1000 --publications   200:   2,143 entities,     8,790 relations
//	--organisations  2000 --events  15000 --publications  4000:  23,543 entities,   125,553 relations
//	--organisations 20000 --events 120000 --publications 30000: 190,560 entities, 1,003,014 relations
//	--organisations 20000 --events 150000 --publications 40000: 230,560 entities, 1,247,642 relations
//
// The third line is the 1M-relationship benchmark graph; in it gen-org-000000 organises about
// 20,000 events, gen-org-000010 about 4,000 and the median organisation 2.
package generate

import (
	"fmt"
	"iter"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	pg "github.com/unicri/partnergraph"
)

// Fixed sizes of the reference entities.
const (
	Countries = 80
	Cities    = 400
	Topics    = 60
)

// Largest sizes: beyond them ids would outgrow their fixed width.
const (
	MaxOrganisations = 999_999
	MaxEvents        = 9_999_999
	MaxPublications  = 999_999
)

// Config sizes the graph. The same Config always gives the same graph.
type Config struct {
	Organisations int
	Events        int
	Publications  int
	Seed          uint64
}

// Programmes returns how many programmes the graph has: one per thousand organisations, 3 to 40.
func (c Config) Programmes() int { return min(max(c.Organisations/1000, 3), 40) }

// People returns how many people the graph has: one per organisation.
func (c Config) People() int { return c.Organisations }

// Check refuses sizes the generator cannot honour. Returns EINVALID.
func (c Config) Check() error {
	switch {
	case c.Organisations < 1 || c.Organisations > MaxOrganisations:
		return pg.FieldErrorf(pg.EINVALID, "organisations", "organisations must be 1 to %d", MaxOrganisations)
	case c.Events < 0 || c.Events > MaxEvents:
		return pg.FieldErrorf(pg.EINVALID, "events", "events must be 0 to %d", MaxEvents)
	case c.Publications < 0 || c.Publications > MaxPublications:
		return pg.FieldErrorf(pg.EINVALID, "publications", "publications must be 0 to %d", MaxPublications)
	}
	return nil
}

// Batch is one unit of loading: entities, and relations whose ends are in this batch or in an
// earlier one.
type Batch struct {
	Nodes     []pg.ImportNode
	Relations []pg.Relation
}

// Totals counts a generated graph.
type Totals struct {
	Nodes     int
	Relations int
	ByKind    map[pg.Kind]int
	ByType    map[pg.RelType]int
}

// Count generates the whole graph without storing it and counts it.
func (c Config) Count() Totals {
	t := Totals{ByKind: map[pg.Kind]int{}, ByType: map[pg.RelType]int{}}
	for b := range c.Batches(10_000) {
		t.Nodes += len(b.Nodes)
		t.Relations += len(b.Relations)
		for _, n := range b.Nodes {
			t.ByKind[n.Kind]++
		}
		for _, r := range b.Relations {
			t.ByType[r.Type]++
		}
	}
	return t
}

// Random streams: one per kind of entity, numbered within it.
const (
	streamCountry uint64 = iota + 1
	streamCity
	streamTopic
	streamOrganisation
	streamProgramme
	streamPerson
	streamEvent
	streamPublication
)

// Batches streams the graph in dependency order: places and topics, organisations, programmes,
// people, events, publications, each in batches of up to size entities. c must pass Check.
func (c Config) Batches(size int) iter.Seq[Batch] {
	size = max(size, 1)
	return func(yield func(Batch) bool) {
		g := newGen(c)
		var b Batch
		for i := range Countries {
			g.country(i, &b)
		}
		for i := range Cities {
			g.city(i, &b)
		}
		for i := range Topics {
			g.topic(i, &b)
		}
		if !yield(b) {
			return
		}
		sections := []struct {
			n    int
			each func(int, *Batch)
		}{
			{c.Organisations, g.organisation},
			{c.Programmes(), g.programme},
			{c.People(), g.person},
			{c.Events, g.event},
			{c.Publications, g.publication},
		}
		for _, s := range sections {
			for start := 0; start < s.n; start += size {
				end := min(start+size, s.n)
				b := Batch{Nodes: make([]pg.ImportNode, 0, end-start), Relations: make([]pg.Relation, 0, 8*(end-start))}
				for i := start; i < end; i++ {
					s.each(i, &b)
				}
				if !yield(b) {
					return
				}
			}
		}
	}
}

// gen draws every entity from its own stream: src is reseeded per entity.
type gen struct {
	c      Config
	src    rand.PCG
	r      *rand.Rand
	orgs   *rand.Zipf // organisers, publishers, employers, parents: hub 0 first
	cities *rand.Zipf
	topics *rand.Zipf

	orgIDs, personIDs, cityIDs, topicIDs, progIDs []string
	cityNames, citySlugs                          []string
	cityCountries                                 []int
	orgKinds                                      weights
	years                                         weights
	yearFrom                                      int
}

func newGen(c Config) *gen {
	g := &gen{c: c}
	g.r = rand.New(&g.src)
	g.orgs = rand.NewZipf(g.r, 1.15, 3, uint64(c.Organisations-1))
	g.cities = rand.NewZipf(g.r, 1.1, 5, Cities-1)
	g.topics = rand.NewZipf(g.r, 1.05, 8, Topics-1)
	g.orgIDs = ids(c.Organisations, orgID)
	g.personIDs = ids(c.People(), personID)
	g.cityIDs = ids(Cities, func(i int) string { return fmt.Sprintf("gen-city-%03d", i) })
	g.topicIDs = ids(Topics, func(i int) string { return fmt.Sprintf("gen-topic-%03d", i) })
	g.progIDs = ids(c.Programmes(), func(i int) string { return fmt.Sprintf("gen-prog-%03d", i) })
	g.makeCities()
	g.orgKinds = newWeights(orgKindWeights...)
	// Activity grows over the two decades: 2025 has five times the events of 2006.
	g.yearFrom = 2006
	var yw []int
	for y := 2006; y <= 2025; y++ {
		yw = append(yw, 5+(y-2006))
	}
	g.years = newWeights(yw...)
	return g
}

func ids(n int, id func(int) string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = id(i)
	}
	return out
}

func orgID(i int) string    { return fmt.Sprintf("gen-org-%06d", i) }
func personID(i int) string { return fmt.Sprintf("gen-person-%06d", i) }
func eventID(i int) string  { return fmt.Sprintf("gen-evt-%07d", i) }
func pubID(i int) string    { return fmt.Sprintf("gen-pub-%06d", i) }

// at starts the random stream of entity i of a kind.
func (g *gen) at(stream uint64, i int) { g.src.Seed(g.c.Seed, stream<<40|uint64(i)) }

// chance is true with probability p.
func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

// weights picks an index with the given relative weights.
type weights struct{ cum []int }

func newWeights(w ...int) weights {
	c := make([]int, len(w))
	sum := 0
	for i, x := range w {
		sum += x
		c[i] = sum
	}
	return weights{cum: c}
}

func (w weights) pick(r *rand.Rand) int {
	x := r.IntN(w.cum[len(w.cum)-1])
	for i, c := range w.cum {
		if x < c {
			return i
		}
	}
	return len(w.cum) - 1
}

var (
	organiserCount  = newWeights(28, 27, 18, 11, 7, 4, 3, 2) // 1-8 organisers, mean 2.8
	attendeeCount   = newWeights(35, 30, 20, 15)             // 0-3 participants
	topicCount      = newWeights(45, 35, 20)                 // 1-3 topics
	publisherCount  = newWeights(45, 30, 15, 10)             // 1-4 publishers
	priorityCount   = newWeights(40, 30, 20, 10)             // 0-3 priorities
	eventKindWeight = newWeights(14, 12, 10, 4, 10, 8, 5, 30, 7)
	pubKindWeight   = newWeights(30, 10, 10, 10, 15, 25)
	formatWeight    = newWeights(65, 15, 20) // IN_PERSON, ONLINE, HYBRID
)

// drawDistinct draws n distinct values with draw, never one of avoid.
func drawDistinct(n int, draw func() int, avoid []int) []int {
	out := make([]int, 0, n)
	for tries := 0; len(out) < n && tries < 50*n; tries++ {
		v := draw()
		if !contains(out, v) && !contains(avoid, v) {
			out = append(out, v)
		}
	}
	return out
}

func contains(xs []int, v int) bool {
	for _, x := range xs {
		if x == v {
			return true
		}
	}
	return false
}

func (g *gen) pickOrg() int    { return int(g.orgs.Uint64()) }
func (g *gen) pickAnyOrg() int { return g.r.IntN(g.c.Organisations) }
func (g *gen) pickTopic() int  { return int(g.topics.Uint64()) }
func (g *gen) pickCity() int   { return int(g.cities.Uint64()) }
func (g *gen) status() string {
	if g.chance(0.02) {
		return string(pg.StatusDraft)
	}
	return string(pg.StatusPublished)
}

// date returns a day in the year, as time.
func (g *gen) day(year int) time.Time {
	return time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.r.IntN(365))
}

func (g *gen) rel(b *Batch, t pg.RelType, from, to string, role pg.Role) {
	b.Relations = append(b.Relations, pg.Relation{Type: t, From: from, To: to, Role: role})
}

func (g *gen) country(i int, b *Batch) {
	g.at(streamCountry, i)
	c := countries[i]
	b.Nodes = append(b.Nodes, pg.ImportNode{Kind: pg.KindPlace, Props: map[string]any{
		"id": fmt.Sprintf("gen-country-%03d", i), "slug": slugify(c[0]), "status": string(pg.StatusPublished),
		"name": c[0], "kind": "COUNTRY", "countryCode": c[1],
	}})
}

func (g *gen) city(i int, b *Batch) {
	b.Nodes = append(b.Nodes, pg.ImportNode{Kind: pg.KindPlace, Props: map[string]any{
		"id": g.cityIDs[i], "slug": g.citySlugs[i], "status": string(pg.StatusPublished), "name": g.cityNames[i], "kind": "CITY",
	}})
	g.rel(b, pg.RelLocatedIn, g.cityIDs[i], fmt.Sprintf("gen-country-%03d", g.cityCountries[i]), "")
}

// cities names the cities and picks their countries: organisations' names mention them.
func (g *gen) makeCities() {
	g.cityNames, g.citySlugs, g.cityCountries = make([]string, Cities), make([]string, Cities), make([]int, Cities)
	for i := range Cities {
		g.at(streamCity, i)
		if i < Countries {
			g.cityNames[i], g.citySlugs[i], g.cityCountries[i] = countries[i][2], slugify(countries[i][2]), i
			continue
		}
		name := ""
		for range 2 + g.r.IntN(2) {
			name += citySyllables[g.r.IntN(len(citySyllables))]
		}
		name = strings.ToUpper(name[:1]) + name[1:] + citySuffixes[g.r.IntN(len(citySuffixes))]
		g.cityNames[i], g.citySlugs[i], g.cityCountries[i] = name, slugify(name)+"-"+strconv.Itoa(i), g.r.IntN(Countries)
	}
}

func (g *gen) topic(i int, b *Batch) {
	g.at(streamTopic, i)
	b.Nodes = append(b.Nodes, pg.ImportNode{Kind: pg.KindTopic, Props: map[string]any{
		"id": g.topicIDs[i], "slug": slugify(topics[i]), "status": string(pg.StatusPublished), "name": topics[i],
		"description": "Synthetic topic: " + strings.ToLower(topics[i]) + ".",
	}})
}

func (g *gen) organisation(i int, b *Batch) {
	g.at(streamOrganisation, i)
	kind := string(pg.OrganisationKinds[g.orgKinds.pick(g.r)])
	if i == 0 {
		kind = "UN_BODY"
	}
	heads := orgHeads[kind]
	head, field, city := heads[g.r.IntN(len(heads))], topics[g.pickTopic()], g.pickCity()
	name := fmt.Sprintf("%s %s, %s %d", head, field, g.cityNames[city], i)
	p := map[string]any{"id": g.orgIDs[i], "slug": slugify(name), "status": string(pg.StatusPublished), "name": name, "kind": kind}
	if g.chance(0.6) {
		p["shortName"] = acronym(head+" "+field) + "-" + strconv.Itoa(i)
	}
	if g.chance(0.5) {
		p["website"] = fmt.Sprintf("https://org-%06d.example.org", i)
	}
	if g.chance(0.6) {
		p["founded"] = strconv.Itoa(1945 + g.r.IntN(76))
	}
	b.Nodes = append(b.Nodes, pg.ImportNode{Kind: pg.KindOrganisation, Props: p})
	g.rel(b, pg.RelLocatedIn, g.orgIDs[i], g.cityIDs[city], "")
	if i > 0 && g.chance(0.10) {
		g.rel(b, pg.RelPartOf, g.orgIDs[i], g.orgIDs[g.pickOrg()%i], "")
	}
	for _, t := range drawDistinct(priorityCount.pick(g.r), g.pickTopic, nil) {
		g.rel(b, pg.RelPrioritises, g.orgIDs[i], g.topicIDs[t], "")
	}
	if i > 0 && g.chance(0.05) {
		role := pg.RoleSupporter
		if g.chance(0.4) {
			role = pg.RoleFunder
		}
		g.rel(b, pg.RelSupports, g.orgIDs[g.pickOrg()%i], g.orgIDs[i], role)
	}
}

func (g *gen) programme(i int, b *Batch) {
	g.at(streamProgramme, i)
	ts := drawDistinct(1+topicCount.pick(g.r), g.pickTopic, nil)
	title := fmt.Sprintf("%s programme %d", topics[ts[0]], i)
	start := 2006 + g.r.IntN(15)
	p := map[string]any{"id": g.progIDs[i], "slug": slugify(title), "status": string(pg.StatusPublished), "title": title,
		"startDate": strconv.Itoa(start), "summary": "A synthetic programme on " + strings.ToLower(topics[ts[0]]) + "."}
	if g.chance(0.4) {
		p["endDate"] = strconv.Itoa(start + 3 + g.r.IntN(6))
	}
	b.Nodes = append(b.Nodes, pg.ImportNode{Kind: pg.KindProgramme, Props: p})
	for j, o := range drawDistinct(2+g.r.IntN(5), g.pickOrg, nil) {
		role := []pg.Role{pg.RolePartner, pg.RolePartner, pg.RoleSupporter, pg.RoleFunder}[g.r.IntN(4)]
		if j == 0 {
			role = pg.RoleOrganiser
		}
		g.rel(b, pg.RelRuns, g.orgIDs[o], g.progIDs[i], role)
	}
	for _, t := range ts {
		g.rel(b, pg.RelAbout, g.progIDs[i], g.topicIDs[t], "")
	}
}

func (g *gen) person(i int, b *Batch) {
	g.at(streamPerson, i)
	name := firstNames[g.r.IntN(len(firstNames))] + " " + lastNames[g.r.IntN(len(lastNames))]
	b.Nodes = append(b.Nodes, pg.ImportNode{Kind: pg.KindPerson, Props: map[string]any{
		"id": g.personIDs[i], "slug": slugify(name) + "-" + strconv.Itoa(i), "status": string(pg.StatusPublished), "name": name,
	}})
	n := 1
	if g.chance(0.15) {
		n = 2
	}
	for _, o := range drawDistinct(n, g.pickOrg, nil) {
		title := jobTitles[g.r.IntN(len(jobTitles))]
		b.Relations = append(b.Relations, pg.Relation{Type: pg.RelAffiliatedWith, From: g.personIDs[i], To: g.orgIDs[o], Title: &title})
	}
}

func (g *gen) event(i int, b *Batch) {
	g.at(streamEvent, i)
	id := eventID(i)
	kind := string(pg.EventKinds[eventKindWeight.pick(g.r)])
	format := string(pg.EventFormats[formatWeight.pick(g.r)])
	year := g.yearFrom + g.years.pick(g.r)
	ts := drawDistinct(1+topicCount.pick(g.r), g.pickTopic, nil)
	words := eventPrefixes[kind] + " " + topics[ts[0]]
	if len(ts) > 1 {
		words += " and " + topics[ts[1]]
	}
	words += " " + strconv.Itoa(year)
	start := g.day(year)
	p := map[string]any{"id": id, "slug": slugOf(words, i), "status": g.status(), "title": words + " #" + strconv.Itoa(i),
		"kind": kind, "format": format, "startDate": start.Format(time.DateOnly)}
	if g.chance(0.35) {
		p["endDate"] = start.AddDate(0, 0, 1+g.r.IntN(4)).Format(time.DateOnly)
	}
	b.Nodes = append(b.Nodes, pg.ImportNode{Kind: pg.KindEvent, Props: p})

	organisers := drawDistinct(1+organiserCount.pick(g.r), g.pickOrg, nil)
	for j, o := range organisers {
		role := pg.RoleOrganiser
		if j > 0 {
			role = []pg.Role{pg.RoleCoOrganiser, pg.RoleCoOrganiser, pg.RoleCoOrganiser, pg.RoleCoOrganiser,
				pg.RoleCoOrganiser, pg.RoleCoOrganiser, pg.RoleHost, pg.RoleHost, pg.RoleSupporter, pg.RoleFunder}[g.r.IntN(10)]
		}
		g.rel(b, pg.RelOrganised, g.orgIDs[o], id, role)
	}
	for _, o := range drawDistinct(attendeeCount.pick(g.r), g.pickAnyOrg, organisers) {
		role := []pg.Role{pg.RoleParticipant, pg.RoleParticipant, pg.RoleParticipant, pg.RolePresenter, pg.RoleSpeaker}[g.r.IntN(5)]
		g.rel(b, pg.RelAttended, g.orgIDs[o], id, role)
	}
	if g.chance(0.15) {
		role := pg.RoleSpeaker
		if g.chance(0.5) {
			role = pg.RolePresenter
		}
		g.rel(b, pg.RelAttended, g.personIDs[g.r.IntN(len(g.personIDs))], id, role)
	}
	if g.chance(0.03) {
		g.rel(b, pg.RelOrganised, g.personIDs[g.r.IntN(len(g.personIDs))], id, pg.RoleOrganiser)
	}
	for _, t := range ts {
		g.rel(b, pg.RelAbout, id, g.topicIDs[t], "")
	}
	if format != "ONLINE" {
		g.rel(b, pg.RelHeldIn, id, g.cityIDs[g.pickCity()], "")
	}
	if g.chance(0.10) {
		g.rel(b, pg.RelInProgramme, id, g.progIDs[g.r.IntN(len(g.progIDs))], "")
	}
	if i > 0 && g.chance(0.02) {
		g.rel(b, pg.RelPartOf, id, eventID(i-1-g.r.IntN(min(i, 500))), "")
	}
}

func (g *gen) publication(i int, b *Batch) {
	g.at(streamPublication, i)
	id := pubID(i)
	kind := string(pg.PublicationKinds[pubKindWeight.pick(g.r)])
	year := g.yearFrom + g.years.pick(g.r)
	ts := drawDistinct(1+topicCount.pick(g.r), g.pickTopic, nil)
	words := publicationPrefixes[kind] + " " + topics[ts[0]]
	if len(ts) > 1 {
		words += " and " + topics[ts[1]]
	}
	words += " " + strconv.Itoa(year)
	published := g.day(year).Format(time.DateOnly)
	switch x := g.r.IntN(10); {
	case x == 0:
		published = published[:4]
	case x < 3:
		published = published[:7]
	}
	p := map[string]any{"id": id, "slug": slugOf(words, i), "status": g.status(), "title": words + " #" + strconv.Itoa(i),
		"kind": kind, "published": published}
	switch kind {
	case "MAGAZINE":
		p["itemCount"] = int64(5 + g.r.IntN(26))
	case "JOURNAL_ISSUE":
		p["itemCount"] = int64(5 + g.r.IntN(26))
		p["issue"] = "No. " + strconv.Itoa(1+g.r.IntN(12))
	}
	b.Nodes = append(b.Nodes, pg.ImportNode{Kind: pg.KindPublication, Props: p})

	for j, o := range drawDistinct(1+publisherCount.pick(g.r), g.pickOrg, nil) {
		role := pg.RolePublisher
		if j > 0 {
			role = pg.RoleCoPublisher
			if g.chance(0.4) {
				role = pg.RolePartner
			}
		}
		g.rel(b, pg.RelPublished, g.orgIDs[o], id, role)
	}
	for _, t := range ts {
		g.rel(b, pg.RelAbout, id, g.topicIDs[t], "")
	}
	if g.c.Events > 0 {
		if g.chance(0.08) {
			g.rel(b, pg.RelSummarises, id, eventID(g.r.IntN(g.c.Events)), "")
		}
		if g.chance(0.06) {
			g.rel(b, pg.RelLaunchedAt, id, eventID(g.r.IntN(g.c.Events)), "")
		}
	}
	if g.chance(0.10) {
		g.rel(b, pg.RelInProgramme, id, g.progIDs[g.r.IntN(len(g.progIDs))], "")
	}
	if g.chance(0.03) {
		g.rel(b, pg.RelFeatures, id, g.personIDs[g.r.IntN(len(g.personIDs))], "")
	}
	if i > 0 && g.chance(0.03) {
		g.rel(b, pg.RelPartOf, id, pubID(i-1-g.r.IntN(min(i, 500))), "")
	}
}

// slugOf derives a slug from words, made unique by the entity's number.
func slugOf(words string, i int) string {
	s := slugify(words)
	if len(s) > 80 {
		s = strings.TrimRight(s[:80], "-")
	}
	return s + "-" + strconv.Itoa(i)
}

// slugify lower-cases s and joins its letters and digits with single hyphens.
func slugify(s string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		} else {
			hyphen = true
		}
	}
	return b.String()
}

// acronym returns the upper-case initials of the capitalised words of s.
func acronym(s string) string {
	var b strings.Builder
	for _, w := range strings.Fields(s) {
		if w[0] >= 'A' && w[0] <= 'Z' {
			b.WriteByte(w[0])
		}
	}
	return b.String()
}
