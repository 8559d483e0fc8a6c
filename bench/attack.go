package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/docs"
	"github.com/unicri/partnergraph/internal/hostile"
	"github.com/unicri/partnergraph/neo4jstore"
	"github.com/unicri/partnergraph/server"
	"github.com/unicri/partnergraph/web"
)

// The attack mode (bench -attack): the API as production serves it (anonymous callers run
// trusted documents only) while attackers send hostile documents of every class
// (internal/hostile), each request different. It measures what the attack costs a trusted
// anonymous client (its p99 with and without the attack, in one run) and how long the server
// takes to refuse each hostile request (its Server-Timing header), for anonymous attackers and
// for attackers with an analyst's key, who may send any document.

// AttackOptions say how to run the attack mode.
type AttackOptions struct {
	Duration  time.Duration // per phase: the trusted client alone, then under each attack
	Attackers int           // hostile clients at once
	OutDir    string
	Label     string
	Log       io.Writer
}

// AttackResult is one run of the attack mode.
type AttackResult struct {
	Label     string        `json:"label"`
	Started   time.Time     `json:"started"`
	Machine   Machine       `json:"machine"`
	Neo4j     string        `json:"neo4j"`
	Build     string        `json:"build"`
	Dataset   Dataset       `json:"dataset"`
	Attackers int           `json:"attackers"`
	Seconds   float64       `json:"secondsPerPhase"`
	Trusted   string        `json:"trustedDocument"`
	Baseline  Stats         `json:"baseline"` // the trusted client alone
	Phases    []AttackPhase `json:"phases"`
	Targets   []Target      `json:"targets"`
	Took      time.Duration `json:"tookNs"`
}

// AttackPhase is the trusted client under one kind of attacker.
type AttackPhase struct {
	Attacker  string        `json:"attacker"` // "anonymous" or "analyst"
	LimitMs   float64       `json:"refusalLimitMs"`
	Trusted   Stats         `json:"trusted"`
	P99Ratio  float64       `json:"p99Ratio"` // trusted p99 under attack / alone
	Classes   []ClassResult `json:"classes"`
	Unrefused int           `json:"unrefused"` // hostile requests that got an answer other than their refusal
}

// ClassResult is one class of hostile document in one phase.
type ClassResult struct {
	Name      string  `json:"name"`
	Code      string  `json:"code"` // the refusal expected
	Requests  int     `json:"requests"`
	WrongCode int     `json:"wrongCode"`
	FirstBad  string  `json:"firstBad,omitempty"`
	ServerP50 float64 `json:"serverP50Ms"`
	ServerP99 float64 `json:"serverP99Ms"`
	ServerMax float64 `json:"serverMaxMs"`
}

// attackDoc is one hostile class, its body encoded once: each request puts a fresh comment in
// front of the document, so its text (and hash) differs every time at no cost to the client.
type attackDoc struct {
	class  hostile.Class
	prefix []byte // {"query":"
	rest   []byte // the encoded document and the closing of the body
	n      atomic.Int64

	mu      sync.Mutex
	lat     []time.Duration
	wrong   int
	bad     string
	tooSlow int
}

func newAttackDoc(c hostile.Class) *attackDoc {
	body, _ := json.Marshal(map[string]string{"query": c.Build(0)})
	const head = `{"query":"`
	return &attackDoc{class: c, prefix: []byte(head), rest: body[len(head):]}
}

func (d *attackDoc) body() []byte {
	n := d.n.Add(1)
	b := make([]byte, 0, len(d.prefix)+len(d.rest)+24)
	b = append(append(b, d.prefix...), "# "+strconv.FormatInt(n, 10)+`\n`...)
	return append(b, d.rest...)
}

// trustedDocuments are what production trusts: the examples and the web app's documents.
func trustedDocuments() map[string]string {
	out := map[string]string{}
	for _, ex := range docs.Examples() {
		out[server.DocumentHash(ex.Query)] = ex.Query
	}
	for _, d := range web.Documents() {
		out[server.DocumentHash(d)] = d
	}
	return out
}

// attack runs the attack mode against db (migrated, loaded) and writes its report.
func attack(ctx context.Context, db *neo4jstore.DB, o AttackOptions) (*AttackResult, error) {
	r := &AttackResult{Label: o.Label, Started: time.Now(), Machine: machine(), Build: build(), Attackers: o.Attackers,
		Seconds: o.Duration.Seconds()}
	var err error
	if r.Neo4j, r.Dataset, r.Label, err = describeRun(ctx, db, r.Label); err != nil {
		return nil, err
	}
	analyst := "attack-analyst-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	trusted := trustedDocuments()
	h := server.New(server.Options{
		Logger:  slog.New(slog.NewTextHandler(o.Log, &slog.HandlerOptions{Level: slog.LevelError})),
		Health:  readyHealth{db},
		APIKeys: []server.APIKey{{Name: "attacker", SHA256: sha256.Sum256([]byte(analyst)), Access: pg.AccessAnalyst}},
		// No rate limit: it would throttle the trusted client too (all clients here share one
		// address) and hide what the refusals themselves cost.
		Limits:   server.Limits{TrustedOnly: true, Trusted: trusted, NoAnonymousIntrospection: true, DisableHints: true},
		Services: server.Services{Content: db.Content(), Network: db.Network(), Search: db.Search(), Stats: db.Stats(), Reads: db.Reader()},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer func() { _ = srv.Shutdown(context.Background()) }()
	base := "http://" + ln.Addr().String() + "/graphql"
	hc := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: o.Attackers + 2, DisableCompression: true}}

	// The trusted client reads an entity page as the web app does, past the response cache.
	c := newClient(base, "", 2)
	first := 1
	orgs, err := db.Content().ListNodes(ctx, pg.Public, pg.NodeFilter{Kind: pg.KindOrganisation}, pg.PageArgs{First: &first})
	if err != nil || len(orgs.Items) == 0 {
		return nil, fmt.Errorf("attack: no organisation to read: %v", err)
	}
	target := orgs.Items[0].(*pg.Organisation)
	var entity string
	for _, d := range web.Documents() {
		if strings.Contains(d, "query WebEntity") {
			entity = d
		}
	}
	if entity == "" {
		return nil, fmt.Errorf("attack: no entity document")
	}
	r.Trusted = "WebEntity (the explorer's entity page) for " + target.Name + ", uncached"
	trustedDoc := &document{query: entity, vars: map[string]any{"id": target.ID}}
	trustedCall := func(ctx context.Context) (outcome, error) {
		_, err := c.send(ctx, trustedDoc, trustedDoc.vars, "")
		return outcome{}, err
	}
	for range 20 { // warm
		if _, err := trustedCall(ctx); err != nil {
			return nil, fmt.Errorf("attack: the trusted document fails: %w", err)
		}
	}
	fmt.Fprintf(o.Log, "bench: attack: trusted client alone for %s\n", o.Duration)
	r.Baseline = hammer(ctx, 1, o.Duration, trustedCall)

	for _, phase := range []struct {
		name, key string
		limit     float64
	}{{"anonymous", "", 50}, {"analyst", analyst, 200}} {
		fmt.Fprintf(o.Log, "bench: attack: %d %s attackers for %s\n", o.Attackers, phase.name, o.Duration)
		var ads []*attackDoc
		for _, cl := range hostile.Classes {
			ads = append(ads, newAttackDoc(cl))
		}
		actx, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		var next atomic.Int64
		for range o.Attackers {
			wg.Go(func() {
				for actx.Err() == nil {
					ad := ads[int(next.Add(1))%len(ads)]
					ad.send(actx, hc, base, phase.key, phase.name == "anonymous")
				}
			})
		}
		trustedStats := hammer(ctx, 1, o.Duration, trustedCall)
		// Every class answered at least once before the attack stops: on a loaded machine a
		// short phase may end before the attackers came round to each.
		for wait := time.Now().Add(time.Minute); time.Now().Before(wait) && !allAnswered(ads); {
			time.Sleep(20 * time.Millisecond)
		}
		stop()
		wg.Wait()
		p := AttackPhase{Attacker: phase.name, LimitMs: phase.limit, Trusted: trustedStats}
		if r.Baseline.P99 > 0 {
			p.P99Ratio = trustedStats.P99 / r.Baseline.P99
		}
		for _, ad := range ads {
			slices.Sort(ad.lat)
			cr := ClassResult{Name: ad.class.Name, Code: ad.expected(phase.name == "anonymous"), Requests: len(ad.lat) + ad.wrong,
				WrongCode: ad.wrong, FirstBad: ad.bad, ServerP50: percentile(ad.lat, 0.5), ServerP99: percentile(ad.lat, 0.99)}
			if len(ad.lat) > 0 {
				cr.ServerMax = float64(ad.lat[len(ad.lat)-1].Microseconds()) / 1000
			}
			p.Unrefused += ad.wrong
			p.Classes = append(p.Classes, cr)
		}
		r.Phases = append(r.Phases, p)
	}
	r.Took = time.Since(r.Started)
	r.judge()
	if err := writeReports(o.OutDir, "attack", r.Label, r.Started, r, r.Markdown(), o.Log); err != nil {
		return nil, err
	}
	return r, nil
}

func (d *attackDoc) expected(anonymous bool) string {
	if anonymous {
		return "PERSISTED_QUERY_NOT_ALLOWED"
	}
	return d.class.Code
}

// send sends one hostile request and records the server's time for it and whether it was
// refused with the class's code.
func (d *attackDoc) send(ctx context.Context, hc *http.Client, base, key string, anonymous bool) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base, bytes.NewReader(d.body()))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := hc.Do(req)
	if err != nil {
		return // the phase ended
	}
	body, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	var rep struct {
		Errors []struct {
			Extensions struct {
				Code string `json:"code"`
			} `json:"extensions"`
		} `json:"errors"`
	}
	_ = json.Unmarshal(body, &rep)
	ms, _ := strconv.ParseFloat(strings.TrimPrefix(res.Header.Get("Server-Timing"), "app;dur="), 64)
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(rep.Errors) == 0 || rep.Errors[0].Extensions.Code != d.expected(anonymous) {
		d.wrong++
		if d.bad == "" {
			d.bad = fmt.Sprintf("HTTP %d: %.160s", res.StatusCode, body)
		}
		return
	}
	d.lat = append(d.lat, time.Duration(ms*float64(time.Millisecond)))
}

// allAnswered reports whether every class got at least one answer.
func allAnswered(ads []*attackDoc) bool {
	for _, d := range ads {
		d.mu.Lock()
		n := len(d.lat) + d.wrong
		d.mu.Unlock()
		if n == 0 {
			return false
		}
	}
	return true
}

func (r *AttackResult) judge() {
	for _, p := range r.Phases {
		worst, slowest := 0.0, ""
		for _, c := range p.Classes {
			if c.ServerMax > worst {
				worst, slowest = c.ServerMax, c.Name
			}
		}
		r.Targets = append(r.Targets,
			Target{Name: fmt.Sprintf("trusted client's p99 under %s attack within 2x of its p99 alone", p.Attacker),
				Measured: fmt.Sprintf("%.1f ms vs %.1f ms alone (%.2fx)", p.Trusted.P99, r.Baseline.P99, p.P99Ratio),
				Pass:     p.P99Ratio > 0 && p.P99Ratio <= 2 && p.Trusted.Errors == 0},
			Target{Name: fmt.Sprintf("every %s hostile request refused with its code", p.Attacker),
				Measured: fmt.Sprintf("%d not refused as expected", p.Unrefused), Pass: p.Unrefused == 0},
			Target{Name: fmt.Sprintf("every %s refusal under %.0f ms server-side", p.Attacker, p.LimitMs),
				Measured: fmt.Sprintf("slowest %.1f ms (%s)", worst, slowest), Pass: worst < p.LimitMs})
	}
}

// Markdown is the report.
func (r *AttackResult) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Attack: %s\n\n%s, %d CPUs (%s), Go %s; Neo4j %s; commit %s; %d entities.\n\n", r.Label, r.Started.Format(time.RFC3339),
		r.Machine.CPUs, r.Machine.CPUModel, r.Machine.Go, r.Neo4j, r.Build, r.Dataset.Entities)
	fmt.Fprintf(&b, "The API serves as in production (anonymous callers run trusted documents only). A trusted anonymous client reads %s in a closed loop: alone for %.0f s, then for %.0f s while %d attackers send hostile documents of every class below in turn, every request different (a fresh comment in front of each document). Server times are the server's own `Server-Timing` for each refusal. The rate limit is off (every client here shares one address).\n\n",
		r.Trusted, r.Seconds, r.Seconds, r.Attackers)
	b.WriteString("## Targets\n\n| target | measured | verdict |\n| --- | --- | --- |\n")
	for _, t := range r.Targets {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", t.Name, t.Measured, t.verdict())
	}
	fmt.Fprintf(&b, "\n## The trusted client\n\n| phase | requests | errors | p50 ms | p99 ms | p99 / alone |\n| --- | --- | --- | --- | --- | --- |\n")
	fmt.Fprintf(&b, "| alone | %d | %d | %.1f | %.1f | 1.00 |\n", r.Baseline.Requests, r.Baseline.Errors, r.Baseline.P50, r.Baseline.P99)
	for _, p := range r.Phases {
		fmt.Fprintf(&b, "| %s attack | %d | %d | %.1f | %.1f | %.2f |\n", p.Attacker, p.Trusted.Requests, p.Trusted.Errors, p.Trusted.P50, p.Trusted.P99, p.P99Ratio)
	}
	for _, p := range r.Phases {
		fmt.Fprintf(&b, "\n## Refusals, %s attackers (limit %.0f ms)\n\n| class | code | requests | not as expected | server p50 ms | p99 ms | max ms |\n| --- | --- | --- | --- | --- | --- | --- |\n", p.Attacker, p.LimitMs)
		for _, c := range p.Classes {
			fmt.Fprintf(&b, "| %s | %s | %d | %d | %.2f | %.2f | %.2f |\n", c.Name, c.Code, c.Requests, c.WrongCode, c.ServerP50, c.ServerP99, c.ServerMax)
		}
		for _, c := range p.Classes {
			if c.FirstBad != "" {
				fmt.Fprintf(&b, "\n%s: first unexpected answer: `%s`\n", c.Name, c.FirstBad)
			}
		}
	}
	return b.String()
}
