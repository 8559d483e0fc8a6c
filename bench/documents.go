package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
)

// The documents the harness sends, one named GraphQL operation per file; setup/ holds the ones
// it sends once at start-up to find its parameters in the dataset.
//
//go:embed documents/*.graphql documents/setup/*.graphql
var files embed.FS

func load(name string) string {
	b, err := files.ReadFile("documents/" + name + ".graphql")
	if err != nil {
		panic(err) // embedded at build time: a missing file is a bug in this package
	}
	return string(b)
}

// document is one entry of the fixed mix.
type document struct {
	Name  string // file name without .graphql, and the name in the report
	About string // what it asks, with the parameters found in the dataset
	query string
	vars  map[string]any
	// nextVars, if set, gives the variables of each request instead of vars (mutations, whose
	// requests must not collide).
	nextVars func() map[string]any
	get      bool // send as GET /graphql?query=..., as the public web site does
	cached   bool // let the server's response cache answer (no Cache-Control: no-cache)
	editor   bool // send the editor key
	floor    bool // also replay its statements straight through the driver
}

// params are the documents' parameters, found in the dataset at start-up.
type params struct {
	Hub        ref    `json:"hub"` // the organisation with the most events
	Top        []ref  `json:"top"` // the organisations with the most events, hub first
	From       ref    `json:"from"`
	To         ref    `json:"to"`
	Hops       int    `json:"hops"` // how far apart From and To are
	Year       int    `json:"year"` // the year with the most events
	Topic      string `json:"topic"`
	SearchText string `json:"searchText"`
	Network    string `json:"network"` // what the network document returns, e.g. "500 nodes, 1234 edges, truncated"
	// Slow are the pairs whose connection (up to four hops) did not answer within hopsTimeout.
	Slow []string `json:"slowConnections,omitempty"`
}

// hopsTimeout bounds each connection question of the start-up.
const hopsTimeout = 10 * time.Second

type ref struct {
	ID   string `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// discover asks the API for the documents' parameters: the top organisations by events, the
// busiest year, a topic, a word to search for, and two organisations four hops apart.
func discover(ctx context.Context, c *client) (params, error) {
	var p params
	var d struct {
		Top    struct{ Nodes []ref }
		ByName struct{ Nodes []ref }
		Topics struct{ Nodes []ref }
		Stats  struct {
			ActivityByYear []struct{ Year, Events int }
		}
	}
	if err := c.query(ctx, load("setup/discover"), nil, &d); err != nil {
		return p, fmt.Errorf("discover: %w", err)
	}
	if len(d.Top.Nodes) < 2 || len(d.Topics.Nodes) == 0 {
		return p, fmt.Errorf("discover: the dataset needs at least two published organisations and a topic; is it loaded?")
	}
	p.Top, p.Hub, p.Topic = d.Top.Nodes, d.Top.Nodes[0], d.Topics.Nodes[0].ID
	best := 0
	for _, y := range d.Stats.ActivityByYear {
		if y.Events > best {
			best, p.Year = y.Events, y.Year
		}
	}
	if best == 0 {
		return p, fmt.Errorf("discover: no events in the dataset")
	}
	p.SearchText = longestWord(p.Hub.Name)

	// Two organisations four hops apart (organisation - event - organisation - event -
	// organisation): try pairs from the list by name; keep the farthest if none is four apart.
	const maxTries = 80
	cand, tries := d.ByName.Nodes, 0
	for i := 0; i < len(cand) && tries < maxTries && p.Hops != 4; i++ {
		for j := len(cand) - 1; j > i && tries < maxTries; j-- {
			tries++
			var h struct{ Connection []struct{ Length int } }
			qctx, cancel := context.WithTimeout(ctx, hopsTimeout)
			err := c.query(qctx, load("setup/hops"), map[string]any{"from": cand[i].ID, "to": cand[j].ID}, &h)
			cancel()
			if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
				p.Slow = append(p.Slow, cand[i].ID+" to "+cand[j].ID)
				continue
			}
			if err != nil {
				return p, fmt.Errorf("discover: connection: %w", err)
			}
			if len(h.Connection) > 0 && h.Connection[0].Length > p.Hops {
				p.From, p.To, p.Hops = cand[i], cand[j], h.Connection[0].Length
				if p.Hops == 4 {
					break
				}
			}
		}
	}
	if p.Hops == 0 {
		return p, fmt.Errorf("discover: no two connected organisations among %d tries", tries)
	}

	var n struct {
		Network struct {
			Truncated bool
			Nodes     []struct{ ID string }
			Edges     []struct{ Source string }
		}
	}
	if err := c.query(ctx, load("setup/network-size"), map[string]any{"center": p.Hub.ID}, &n); err != nil {
		return p, fmt.Errorf("discover: network: %w", err)
	}
	p.Network = fmt.Sprintf("%d nodes, %d edges", len(n.Network.Nodes), len(n.Network.Edges))
	if n.Network.Truncated {
		p.Network += ", truncated"
	}
	return p, nil
}

// longestWord returns the longest word of s, for a search that matches something real.
func longestWord(s string) string {
	best := ""
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if len(w) > len(best) {
			best = w
		}
	}
	return best
}

// documents returns the fixed mix with the parameters of the dataset.
func documents(p params) []document {
	year := fmt.Sprint(p.Year)
	var n atomic.Int64
	run := fmt.Sprintf("bench-%d", os.Getpid())
	// The page of a busy organisation, but not of the hub, whose collaborators dwarf any other.
	pageOrg := p.Top[len(p.Top)-1]
	page := map[string]any{"slug": pageOrg.Slug}
	return []document{
		{Name: "nested-list", query: load("nested-list"), floor: true,
			About: "organisations(first: 50) > events(first: 10) > organisers(first: 8) > priorities(first: 5)"},
		{Name: "organisation-page", query: load("organisation-page"), vars: page, get: true, floor: true,
			About: fmt.Sprintf("GET, organisation %q (%s, number %d by events) with events, publications and collaborators", pageOrg.Name, pageOrg.ID, len(p.Top))},
		{Name: "co-organisations", query: load("co-organisations"), floor: true,
			vars:  map[string]any{"from": year + "-01-01", "to": year + "-12-31"},
			About: "co-organisation pairs in " + year + " (the busiest year), first 20"},
		{Name: "connection", query: load("connection"), floor: true,
			vars:  map[string]any{"from": p.From.ID, "to": p.To.ID},
			About: fmt.Sprintf("shortest paths %s to %s, %d hops", p.From.ID, p.To.ID, p.Hops)},
		{Name: "network", query: load("network"), floor: true, vars: map[string]any{"center": p.Hub.ID},
			About: fmt.Sprintf("depth 2 around %s, limit 500: %s", p.Hub.ID, p.Network)},
		{Name: "search", query: load("search"), floor: true, vars: map[string]any{"text": p.SearchText},
			About: fmt.Sprintf("search %q, first 10", p.SearchText)},
		{Name: "stats", query: load("stats"), floor: true,
			About: "the whole dashboard, unfiltered"},
		{Name: "editor-mutations", query: load("editor-mutations"), editor: true,
			About: "editor key: createEvent with 2 links, updateEvent, link, unlink, deleteNode (5 transactions)",
			nextVars: func() map[string]any {
				i := n.Add(1)
				slug := fmt.Sprintf("%s-%d", run, i)
				return map[string]any{"id": "evt-" + slug, "slug": slug, "topic": p.Topic,
					"org": p.Top[int(i)%len(p.Top)].ID, "partner": p.Top[int(i+1)%len(p.Top)].ID}
			}},
		{Name: "organisation-page-cached", query: load("organisation-page"), vars: page, get: true, cached: true,
			About: "the organisation page again, without Cache-Control: no-cache: the response cache may answer"},
	}
}
