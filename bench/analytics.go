package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/unicri/partnergraph/neo4jstore"
)

// analyticsQuery is what the dashboard and the explorer ask of a whole network: the central
// organisations, the brokers, the communities and the evolution.
const analyticsQuery = `query { networkAnalysis {
  organisations links modularity betweennessSources
  central: centrality(first: 20) { totalCount edges { node { rank pageRank weightedDegree community organisation { id name } } } }
  brokers: centrality(orderBy: BETWEENNESS, first: 10) { edges { node { betweenness closeness organisation { id } } } }
  communities(first: 10) { id size members(first: 5) { id } topics { count topic { id } } countries { key count } }
  evolution { year activePartners newPartners retainedPartners links density } } }`

// AnalyticsResult is the network analytics of the whole dataset through the server binary:
// the first request computes them, the next ones read them from the analytics cache.
type AnalyticsResult struct {
	Label              string        `json:"label"`
	Started            time.Time     `json:"started"`
	Machine            Machine       `json:"machine"`
	Neo4j              string        `json:"neo4j"`
	Build              string        `json:"build"`
	Dataset            Dataset       `json:"dataset"`
	Organisations      int           `json:"organisations"`
	Links              int           `json:"links"`
	Modularity         float64       `json:"modularity"`
	BetweennessSources int           `json:"betweennessSources"`
	ComputeMs          float64       `json:"computeMs"`   // the first request: read, compute, answer
	Cached             Stats         `json:"cached"`      // 50 requests after it, one at a time
	RSSBeforeMB        float64       `json:"rssBeforeMB"` // the peak from the start to /readyz
	PeakRSSMB          float64       `json:"peakRssMB"`   // the server's VmHWM after the computation
	Targets            []Target      `json:"targets"`
	Took               time.Duration `json:"tookNs"`
}

// analytics starts the server binary (as make run does, without the response cache, so cached
// answers come from the analytics cache), and times networkAnalysis over the whole dataset.
func analytics(ctx context.Context, db *neo4jstore.DB, dbc neo4jstore.Config, exe string, o Options) (*AnalyticsResult, error) {
	r := &AnalyticsResult{Label: o.Label, Started: time.Now(), Machine: machine(), Build: build()}
	var err error
	if r.Neo4j, r.Dataset, r.Label, err = describeRun(ctx, db, r.Label); err != nil {
		return nil, err
	}
	base, pid, stop, err := startServer(ctx, exe, dbc)
	if err != nil {
		return nil, err
	}
	defer stop()
	r.RSSBeforeMB = peakRSSOf(pid)
	hc := &http.Client{Timeout: 5 * time.Minute}
	url := base + "/graphql"
	// The computation outlives a request that runs into the server's deadline: ask again
	// until the answer comes, and count from the first question.
	t := time.Now()
	var v any
	for attempt := 1; ; attempt++ {
		if v, err = jsonPost(ctx, hc, url, analyticsQuery, nil, nil); err == nil {
			break
		}
		if attempt == 10 || ctx.Err() != nil {
			return nil, fmt.Errorf("networkAnalysis: %w", err)
		}
	}
	r.ComputeMs = float64(time.Since(t).Microseconds()) / 1000
	r.PeakRSSMB = peakRSSOf(pid)
	a := at(v, "networkAnalysis")
	r.Organisations, _ = intOf(at(a, "organisations"))
	r.Links, _ = intOf(at(a, "links"))
	r.BetweennessSources, _ = intOf(at(a, "betweennessSources"))
	r.Modularity, _ = at(a, "modularity").(float64)
	var lat []time.Duration
	for range 50 {
		t := time.Now()
		if _, err := jsonPost(ctx, hc, url, analyticsQuery, nil, nil); err != nil {
			return nil, err
		}
		lat = append(lat, time.Since(t))
	}
	slices.Sort(lat)
	r.Cached = Stats{P50: percentile(lat, 0.5), P99: percentile(lat, 0.99)}
	r.Took = time.Since(r.Started)
	r.Targets = []Target{
		{Name: "centrality + communities of the whole network computed in under 10 s", Measured: fmt.Sprintf("%.1f s for %d organisations, %d links (first request: read, compute, answer)", r.ComputeMs/1000, r.Organisations, r.Links), Pass: r.ComputeMs < 10000},
		{Name: "served from the analytics cache in under 50 ms after", Measured: fmt.Sprintf("p50 %.1f ms, p99 %.1f ms over 50 requests", r.Cached.P50, r.Cached.P99), Pass: r.Cached.P99 < 50},
		{Name: "server RSS during the computation under 400 MB", Measured: fmt.Sprintf("peak %.0f MB (%.0f MB before)", r.PeakRSSMB, r.RSSBeforeMB), Pass: r.PeakRSSMB > 0 && r.PeakRSSMB < 400},
	}
	if err := writeReports(o.OutDir, "analytics", r.Label, r.Started, r, r.Markdown(), o.Log); err != nil {
		return nil, err
	}
	return r, nil
}

// Markdown is the analytics report.
func (r *AnalyticsResult) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# partnergraph network analytics: %s, %s\n\n", r.Label, r.Started.UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "- Machine: %d CPUs (%s), %d MB memory, %s\n- Go %s; Neo4j %s; code %s\n- Dataset: %d entities\n\n", r.Machine.CPUs, r.Machine.CPUModel, r.Machine.MemoryMB, r.Machine.OS, r.Machine.Go, r.Neo4j, r.Build, r.Dataset.Entities)
	fmt.Fprintf(&b, "`networkAnalysis` without a filter (units rolled up, an event with its parts one engagement) through the server binary, response cache off: %d organisations, %d links, modularity %.4f, betweenness and closeness from %d sources.\n\n", r.Organisations, r.Links, r.Modularity, r.BetweennessSources)
	b.WriteString("| | target | measured |\n| --- | --- | --- |\n")
	for _, t := range r.Targets {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", t.verdict(), t.Name, t.Measured)
	}
	return b.String()
}

func intOf(v any) (int, bool) {
	f, ok := v.(float64)
	return int(f), ok
}

// describeRun reads what a report says it ran on: the Neo4j version, the dataset's size, and
// the label (the dataset's size when none was given).
func describeRun(ctx context.Context, db *neo4jstore.DB, label string) (string, Dataset, string, error) {
	version, err := db.ServerVersion(ctx)
	if err != nil {
		return "", Dataset{}, "", err
	}
	ds, err := datasetSize(ctx, db)
	if err != nil {
		return "", Dataset{}, "", err
	}
	if label == "" {
		label = fmt.Sprintf("%d-entities", ds.Entities)
	}
	return version, ds, label, nil
}
