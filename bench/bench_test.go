package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/unicri/partnergraph/internal/neo4jtest"
)

// TestSmoke runs the whole harness briefly on the centre dataset: every document answers
// without errors, the floor is measured, round trips are reported and the reports are written.
// It proves the harness works, not how fast anything is.
func TestSmoke(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.MustSeedCentre(t, db)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	o := smokeOptions(t.TempDir())
	o.Log = testWriter{t}

	r, err := run(ctx, db, o)
	if err != nil {
		t.Fatal(err)
	}

	if got, want := len(r.Documents), len(documents(params{Top: []ref{{}}})); got != want {
		t.Errorf("documents run: got %d, want %d", got, want)
	}
	for _, d := range r.Documents {
		if got, want := len(d.Levels), len(o.Concurrency); got != want {
			t.Errorf("%s: got %d levels, want %d", d.Name, got, want)
		}
		for _, l := range d.Levels {
			if l.API.Errors != 0 || l.API.Throughput <= 0 {
				t.Errorf("%s c=%d: API %d errors (%s), %.1f req/s; want none and some", d.Name, l.Concurrency, l.API.Errors, l.API.FirstError, l.API.Throughput)
			}
			if d.Name != "organisation-page-cached" && l.API.RoundTrips <= 0 {
				t.Errorf("%s c=%d: no round trips reported", d.Name, l.Concurrency)
			}
			if d.Name == "editor-mutations" || d.Name == "organisation-page-cached" {
				if l.Floor != nil {
					t.Errorf("%s c=%d: has a floor; want none", d.Name, l.Concurrency)
				}
				continue
			}
			if l.Floor == nil || l.Floor.Errors != 0 || l.Floor.Throughput <= 0 || l.P50Ratio <= 0 {
				t.Errorf("%s c=%d: floor %+v, p50 ratio %.2f; want a measured floor without errors", d.Name, l.Concurrency, l.Floor, l.P50Ratio)
			}
		}
	}
	if r.PeakRSSMB <= 0 || len(r.Targets) != 6 {
		t.Errorf("peak RSS %.0f MB, %d targets; want both", r.PeakRSSMB, len(r.Targets))
	}
	for _, name := range []string{"latest.md", "latest.json", "smoke-" + r.Started.Format("20060102-150405") + ".json"} {
		b, err := os.ReadFile(filepath.Join(o.OutDir, name))
		if err != nil || len(b) == 0 {
			t.Errorf("report %s: %v, %d bytes", name, err, len(b))
		}
	}
	md, _ := os.ReadFile(filepath.Join(o.OutDir, "latest.md"))
	for _, want := range []string{"## Targets", "## Results", "nested-list", "relationships"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("latest.md does not mention %q", want)
		}
	}
	t.Logf("\n%s", md)
}

// TestSoakSmoke runs the soak for a few seconds on the centre dataset: every document of the
// mix (anonymous, analyst and editor) answers without errors, the samples are taken under load
// and at rest with no Neo4j session left open, and the reports are written. A few seconds
// cannot show growth, so the growth checks are only required to be there.
func TestSoakSmoke(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.MustSeedCentre(t, db)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	o := SoakOptions{Duration: 8 * time.Second, Concurrency: 2, Sample: 2 * time.Second, Warmup: time.Second,
		OutDir: t.TempDir(), Log: testWriter{t}}

	r, err := soak(ctx, db, o)
	if err != nil && !errors.Is(err, errSoakFailed) {
		t.Fatal(err)
	}

	callers := map[string]bool{}
	for _, d := range r.Documents {
		callers[d.Caller] = true
		if d.Requests == 0 || d.Errors != 0 {
			t.Errorf("%s (%s): %d requests, %d errors (%s); want some and none", d.Name, d.Caller, d.Requests, d.Errors, d.FirstError)
		}
	}
	if !callers["anonymous"] || !callers["analyst"] || !callers["editor"] {
		t.Errorf("callers in the mix: %v; want anonymous, analyst and editor", callers)
	}
	if n := len(r.Samples); n < 3 || r.Samples[0].Phase != "start" || r.Samples[n-1].Phase != "end" {
		t.Errorf("samples: %+v; want start, at least one under load, end", r.Samples)
	}
	checks := map[string]Target{}
	for _, c := range r.Checks {
		checks[c.Name] = c
	}
	for _, name := range []string{"no errors", "Neo4j sessions all closed at rest"} {
		if !checks[name].Pass {
			t.Errorf("check %q: %+v; want it passed", name, checks[name])
		}
	}
	for _, name := range []string{"heap in use at rest flat", "RSS at rest flat", "goroutines at rest not growing"} {
		if _, ok := checks[name]; !ok {
			t.Errorf("no check %q", name)
		}
	}
	base := filepath.Join(o.OutDir, "soak-"+r.Started.Format("20060102-150405"))
	md, err := os.ReadFile(base + ".md")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Verdict", "## Samples", "analyst-nested-list", "editor-mutations"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("the soak report does not mention %q", want)
		}
	}
	var js SoakResult
	if b, err := os.ReadFile(base + ".json"); err != nil || json.Unmarshal(b, &js) != nil || len(js.Samples) != len(r.Samples) {
		t.Errorf("soak JSON report: %v, %d samples; want %d", err, len(js.Samples), len(r.Samples))
	}
	t.Logf("\n%s", md)
}

// TestAttackSmoke runs the attack mode for a second a phase on the centre dataset: every class
// of hostile document is sent by both kinds of attacker and refused with its code, the trusted
// client is answered without errors throughout, and the report is written. A second a phase
// on a busy machine says nothing of the ratios, so they are only required to be reported.
func TestAttackSmoke(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.MustSeedCentre(t, db)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	o := AttackOptions{Duration: time.Second, Attackers: 4, OutDir: t.TempDir(), Label: "smoke", Log: testWriter{t}}
	r, err := attack(ctx, db, o)
	if err != nil {
		t.Fatal(err)
	}
	if r.Baseline.Requests == 0 || r.Baseline.Errors != 0 {
		t.Errorf("trusted client alone: %d requests, %d errors (%s)", r.Baseline.Requests, r.Baseline.Errors, r.Baseline.FirstError)
	}
	if len(r.Phases) != 2 {
		t.Fatalf("phases: %d, want anonymous and analyst", len(r.Phases))
	}
	for _, p := range r.Phases {
		if p.Trusted.Errors != 0 || p.P99Ratio <= 0 {
			t.Errorf("%s attack: trusted client %d errors (%s), p99 ratio %.2f", p.Attacker, p.Trusted.Errors, p.Trusted.FirstError, p.P99Ratio)
		}
		for _, c := range p.Classes {
			if c.Requests == 0 || c.WrongCode != 0 {
				t.Errorf("%s attack, %s: %d requests, %d not refused with %s (%s)", p.Attacker, c.Name, c.Requests, c.WrongCode, c.Code, c.FirstBad)
			}
		}
	}
	md, err := os.ReadFile(filepath.Join(o.OutDir, "attack-latest.md"))
	if err != nil || !strings.Contains(string(md), "fragment bomb") || !strings.Contains(string(md), "## Targets") {
		t.Errorf("attack report: %v\n%s", err, md)
	}
}

// TestCompareSmoke runs the comparison briefly on the centre dataset: the peer starts, every
// document the dataset has parameters for gets the same answer from the API, the peer and the
// floor, each side is timed, and the report is written. It proves the harness, not the speed.
func TestCompareSmoke(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.MustSeedCentre(t, db)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	o := Options{Concurrency: []int{1}, Duration: 300 * time.Millisecond, Warmup: 100 * time.Millisecond,
		OutDir: t.TempDir(), Label: "smoke", Log: testWriter{t}, PeerDir: "peer"}
	r, err := compare(ctx, db, neo4jtest.Config(), o)
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, d := range r.Docs {
		if strings.HasPrefix(d.Mismatch, "not run:") {
			continue
		}
		ran++
		if !d.Equal {
			t.Errorf("%s: %s", d.Name, d.Mismatch)
			continue
		}
		for _, l := range d.Levels {
			if l.API.Errors+l.Floor.Errors != 0 || l.API.Requests == 0 || l.Floor.Requests == 0 || (l.Peer != nil && (l.Peer.Errors != 0 || l.Peer.Requests == 0)) {
				t.Errorf("%s c=%d: API %+v, peer %+v, floor %+v", d.Name, l.Concurrency, l.API, l.Peer, l.Floor)
			}
		}
	}
	if ran < 8 {
		t.Errorf("only %d documents ran on the centre dataset", ran)
	}
	md, err := os.ReadFile(filepath.Join(o.OutDir, "compare-latest.md"))
	if err != nil || !strings.Contains(string(md), "## Results") {
		t.Errorf("compare report: %v", err)
	}
}

// testWriter sends the harness's progress lines to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

func TestPercentile(t *testing.T) {
	ms := func(n ...int) []time.Duration {
		var out []time.Duration
		for _, x := range n {
			out = append(out, time.Duration(x)*time.Millisecond)
		}
		return out
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		q      float64
		want   float64
	}{
		{"empty", nil, 0.5, 0},
		{"one", ms(7), 0.99, 7},
		{"median of four is the second", ms(1, 2, 3, 4), 0.5, 2},
		{"p99 of a hundred is the 99th", ms(func() []int {
			var s []int
			for i := 1; i <= 100; i++ {
				s = append(s, i)
			}
			return s
		}()...), 0.99, 99},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentile(tt.sorted, tt.q); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseCounts(t *testing.T) {
	got, err := parseCounts("organisations=16000, events=120000,publications=32000")
	if err != nil {
		t.Fatal(err)
	}
	if got["ORGANISATION"] != 16000 || got["EVENT"] != 120000 || got["PUBLICATION"] != 32000 || len(got) != 3 {
		t.Errorf("got %v", got)
	}
	if _, err := parseCounts("organisations"); err == nil {
		t.Error("organisations without a count: got no error")
	}
	if _, err := parseLevels("1,0"); err == nil {
		t.Error("concurrency 0: got no error")
	}
}
