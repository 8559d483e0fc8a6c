package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Result is one run of the benchmark: what ran where, the numbers, and the targets.
type Result struct {
	Label     string      `json:"label"`
	Started   time.Time   `json:"started"`
	Machine   Machine     `json:"machine"`
	Neo4j     string      `json:"neo4j"`
	Build     string      `json:"build"` // the commit measured
	Dataset   Dataset     `json:"dataset"`
	Params    params      `json:"parameters"` // found in the dataset at start-up
	Settings  Settings    `json:"settings"`
	Documents []DocResult `json:"documents"`
	PeakRSSMB float64     `json:"peakRssMB"` // highest VmHWM seen, server and load generator together
	// ServerAlone is every document and level again against the server in a process of its own.
	ServerAlone []AloneLevel  `json:"serverAlone,omitempty"`
	Targets     []Target      `json:"targets"`
	Notes       []string      `json:"notes"`
	Took        time.Duration `json:"tookNs"`
}

// Dataset is the size of the database the run used, counted from it.
type Dataset struct {
	Entities int            `json:"entities"`
	ByKind   map[string]int `json:"byKind"`
	// Relationships is nil when the store cannot count them.
	Relationships *int `json:"relationships,omitempty"`
}

// Settings are the run's options.
type Settings struct {
	Concurrency     []int   `json:"concurrency"`
	DurationSeconds float64 `json:"durationSeconds"`
	WarmupSeconds   float64 `json:"warmupSeconds"`
	PeakRSSPerLevel bool    `json:"peakRssPerLevel"` // false: each level's peak includes the levels before it
}

// DocResult is one document at every level.
type DocResult struct {
	Name       string  `json:"name"`
	About      string  `json:"about"`
	Statements int     `json:"statements,omitempty"` // captured for the floor
	NoFloor    string  `json:"noFloor,omitempty"`    // why a read document has no floor
	Levels     []Level `json:"levels"`
}

// Level is one document at one concurrency level: the API, the floor and their ratios.
type Level struct {
	Concurrency int    `json:"concurrency"`
	API         Stats  `json:"api"`
	Floor       *Stats `json:"floor,omitempty"`
	// P50Ratio is API p50 / floor p50, ThroughputRatio API req/s / floor req/s.
	P50Ratio        float64 `json:"p50Ratio,omitempty"`
	ThroughputRatio float64 `json:"throughputRatio,omitempty"`
	// PeakRSSMB and PeakHeapMB are the process's peaks while the API side ran.
	PeakRSSMB  float64 `json:"peakRssMB"`
	PeakHeapMB float64 `json:"peakHeapInuseMB"`
}

// Target is one of the goals, judged on the numbers.
type Target struct {
	Name     string `json:"name"`
	Pass     bool   `json:"pass"`
	Measured string `json:"measured"`
}

func (t Target) verdict() string {
	if t.Pass {
		return "PASS"
	}
	return "MISS"
}

func (r *Result) doc(name string) *DocResult {
	for i := range r.Documents {
		if r.Documents[i].Name == name {
			return &r.Documents[i]
		}
	}
	return nil
}

// level returns the document's level at concurrency c, or nil.
func (d *DocResult) level(c int) *Level {
	if d == nil {
		return nil
	}
	for i := range d.Levels {
		if d.Levels[i].Concurrency == c {
			return &d.Levels[i]
		}
	}
	return nil
}

// judge sets the targets. Latency and cache targets are judged at concurrency 8, or at the
// highest level run when 8 was not.
func (r *Result) judge() {
	ref := referenceConcurrency
	if !slices.Contains(r.Settings.Concurrency, ref) {
		ref = slices.Max(r.Settings.Concurrency)
	}
	at := fmt.Sprintf(" at concurrency %d", ref)
	p99Under := func(doc, what string, limit float64) {
		t := Target{Name: fmt.Sprintf("%s p99 < %.0f ms%s", what, limit, at)}
		if l := r.doc(doc).level(ref); l != nil {
			t.Pass = l.API.P99 < limit && l.API.Errors == 0
			t.Measured = fmt.Sprintf("p99 %.1f ms, %d errors", l.API.P99, l.API.Errors)
		} else {
			t.Measured = "not run"
		}
		r.Targets = append(r.Targets, t)
	}
	p99Under("nested-list", "nested 3-level list", 50)

	floor := Target{Name: "API p50 <= 1.3x the floor (every read document, every level)", Pass: true}
	worst, worstAt := 0.0, ""
	var misses []string
	for _, d := range r.Documents {
		if d.NoFloor != "" {
			floor.Pass = false
			misses = append(misses, d.Name+" has no floor")
		}
		for _, l := range d.Levels {
			if l.Floor == nil {
				continue
			}
			where := fmt.Sprintf("%s c=%d", d.Name, l.Concurrency)
			if l.P50Ratio > worst {
				worst, worstAt = l.P50Ratio, where
			}
			switch {
			case l.P50Ratio == 0:
				floor.Pass = false
				misses = append(misses, fmt.Sprintf("%s no ratio (%d API, %d floor errors)", where, l.API.Errors, l.Floor.Errors))
			case l.P50Ratio > 1.3:
				floor.Pass = false
				misses = append(misses, fmt.Sprintf("%s %.2fx", where, l.P50Ratio))
			}
		}
	}
	floor.Measured = fmt.Sprintf("worst %.2fx (%s)", worst, worstAt)
	if len(misses) > 0 {
		floor.Measured += "; over: " + strings.Join(misses, ", ")
	}
	r.Targets = append(r.Targets, floor)

	p99Under("connection", fmt.Sprintf("connection (%d hops)", r.Params.Hops), 100)
	p99Under("network", "network depth 2 (<= 500 nodes)", 100)

	cache := Target{Name: "cached public reads >= 10x uncached throughput" + at}
	switch c, u := r.doc("organisation-page-cached").level(ref), r.doc("organisation-page").level(ref); {
	case c == nil || u == nil:
		cache.Measured = "not run"
	case u.API.Throughput == 0:
		cache.Measured = fmt.Sprintf("no ratio: the uncached page answered nothing (%d errors); cached %.1f req/s", u.API.Errors, c.API.Throughput)
	default:
		ratio := c.API.Throughput / u.API.Throughput
		cache.Pass = ratio >= 10
		cache.Measured = fmt.Sprintf("%.1fx (%.1f vs %.1f req/s, %d of %d cache hits)", ratio, c.API.Throughput, u.API.Throughput, c.API.CacheHits, c.API.Requests)
	}
	r.Targets = append(r.Targets, cache)

	if len(r.ServerAlone) == 0 {
		r.Targets = append(r.Targets, Target{Name: "peak RSS < 200 MB (server and load generator together: the server alone was not run)",
			Pass: r.PeakRSSMB < 200, Measured: fmt.Sprintf("%.0f MB", r.PeakRSSMB)})
		return
	}
	peak := r.ServerAlone[0]
	for _, l := range r.ServerAlone {
		if l.PeakRSSMB > peak.PeakRSSMB {
			peak = l
		}
	}
	r.Targets = append(r.Targets, Target{Name: "peak RSS < 200 MB (the server alone, every document and level)",
		Pass: peak.PeakRSSMB < 200, Measured: fmt.Sprintf("%.0f MB (%s c=%d); with the load generator in the same process: %.0f MB",
			peak.PeakRSSMB, peak.Document, peak.Concurrency, r.PeakRSSMB)})
}

// Markdown renders the result as a report.
func (r *Result) Markdown() string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	p("# partnergraph benchmark: %s, %s\n\n", r.Label, r.Started.Format("2006-01-02 15:04 MST"))
	m := r.Machine
	p("- Machine: %d CPUs (%s), %d MB memory, %s\n", m.CPUs, m.CPUModel, m.MemoryMB, m.OS)
	p("- Go %s; Neo4j %s; code %s\n", m.Go, r.Neo4j, r.Build)
	rels := "not counted"
	if r.Dataset.Relationships != nil {
		rels = fmt.Sprint(*r.Dataset.Relationships)
	}
	var kinds []string
	for k, n := range r.Dataset.ByKind {
		kinds = append(kinds, fmt.Sprintf("%s %d", strings.ToLower(k), n))
	}
	slices.Sort(kinds)
	p("- Dataset: %d entities (%s), relationships: %s\n", r.Dataset.Entities, strings.Join(kinds, ", "), rels)
	s := r.Settings
	p("- Concurrency %s; %gs measured per document, level and side (API, floor); warm-up %gs per document\n",
		strings.Trim(fmt.Sprint(s.Concurrency), "[]"), s.DurationSeconds, s.WarmupSeconds)
	p("- Run took %s\n\n", r.Took.Round(time.Second))

	p("## Targets\n\n| | target | measured |\n| --- | --- | --- |\n")
	for _, t := range r.Targets {
		p("| %s | %s | %s |\n", t.verdict(), t.Name, t.Measured)
	}

	p("\n## Documents\n\n| document | what | statements |\n| --- | --- | --- |\n")
	for _, d := range r.Documents {
		st := "not replayed"
		if d.Statements > 0 {
			st = fmt.Sprint(d.Statements)
		}
		if d.NoFloor != "" {
			st = "no floor: " + d.NoFloor
		}
		p("| %s | %s | %s |\n", d.Name, d.About, st)
	}

	p("\n## Results\n\nLatencies in ms; round trips are Cypher statements per request (API: as the response reports them,\n")
	p("0 for answers from the response cache). Floor: the same statements, one after another, straight\n")
	p("through the driver. Ratios are API / floor. Peak RSS and Go heap in use are the process's (server and\n")
	p("load generator) while the API side ran.\n\n")
	p("| document | c | req/s | p50 | p95 | p99 | round trips | errors (API / floor; mean time of a failure) | floor req/s | floor p50 | floor p99 | p50 ratio | req/s ratio | peak RSS MB | heap MB |\n")
	p("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, d := range r.Documents {
		for _, l := range d.Levels {
			a := l.API
			errCol, f := errorCell(a), "– | – | – | – | –"
			if l.Floor != nil {
				errCol += " / " + errorCell(*l.Floor)
				f = fmt.Sprintf("%.1f | %.2f | %.2f | %.2fx | %.2fx", l.Floor.Throughput, l.Floor.P50, l.Floor.P99, l.P50Ratio, l.ThroughputRatio)
			}
			p("| %s | %d | %.1f | %.2f | %.2f | %.2f | %.1f | %s | %s | %.0f | %.0f |\n",
				d.Name, l.Concurrency, a.Throughput, a.P50, a.P95, a.P99, a.RoundTrips, errCol, f, l.PeakRSSMB, l.PeakHeapMB)
		}
	}
	if len(r.ServerAlone) > 0 {
		p("\n## The server alone\n\nThe same documents and levels once more, against the API served by a process of its own (no\n")
		p("load generator, no floor inside it): its peak RSS is the server's.\n\n")
		p("| document | c | req/s | p50 | p95 | p99 | errors | peak RSS MB |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
		for _, l := range r.ServerAlone {
			a := l.API
			p("| %s | %d | %.1f | %.2f | %.2f | %.2f | %s | %.0f |\n", l.Document, l.Concurrency, a.Throughput, a.P50, a.P95, a.P99, errorCell(a), l.PeakRSSMB)
		}
	}
	var errs []string
	for _, d := range r.Documents {
		for _, l := range d.Levels {
			if l.API.FirstError != "" {
				errs = append(errs, fmt.Sprintf("- %s c=%d (API): %s", d.Name, l.Concurrency, l.API.FirstError))
			}
			if l.Floor != nil && l.Floor.FirstError != "" {
				errs = append(errs, fmt.Sprintf("- %s c=%d (floor): %s", d.Name, l.Concurrency, l.Floor.FirstError))
			}
		}
	}
	if len(errs) > 0 {
		p("\n## First error per document and level\n\n%s\n", strings.Join(errs, "\n"))
	}
	if len(r.Notes) > 0 {
		p("\n## Notes\n\n- %s\n", strings.Join(r.Notes, "\n- "))
	}
	return b.String()
}

// errorCell shows how many requests failed and how long they took to fail.
func errorCell(s Stats) string {
	if s.Errors == 0 {
		return "0"
	}
	return fmt.Sprintf("%d (%.0f ms)", s.Errors, s.ErrorMs)
}

// write saves the report as <label>-<date>.md and .json in dir, and as latest.md and
// latest.json, and returns the paths of the dated files.
func (r *Result) write(dir string) ([]string, error) {
	paths, err := writeReport(dir, r.Label+"-"+r.Started.Format("20060102-150405"), r, r.Markdown())
	if err != nil {
		return nil, err
	}
	if _, err := writeReport(dir, "latest", r, r.Markdown()); err != nil {
		return nil, err
	}
	return paths, nil
}

// writeReport saves v as dir/name.json and md as dir/name.md, and returns the two paths.
func writeReport(dir, name string, v any, md string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	js, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	base := filepath.Join(dir, name)
	paths := []string{base + ".json", base + ".md"}
	for path, body := range map[string][]byte{paths[0]: append(js, '\n'), paths[1]: []byte(md)} {
		if err := os.WriteFile(path, body, 0o644); err != nil {
			return nil, err
		}
	}
	return paths, nil
}

// writeReports writes a report under its kind, label and start time, and again as the kind's
// latest, and says where.
func writeReports(dir, kind, label string, started time.Time, v any, md string, log io.Writer) error {
	paths, err := writeReport(dir, kind+"-"+label+"-"+started.Format("20060102-150405"), v, md)
	if err != nil {
		return err
	}
	if _, err := writeReport(dir, kind+"-latest", v, md); err != nil {
		return err
	}
	fmt.Fprintf(log, "bench: wrote %v\n", paths)
	return nil
}
