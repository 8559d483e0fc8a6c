package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coder/websocket"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/neo4jstore"
)

// The feed benchmark (bench -feed): the server binary with SUBSCRIBERS subscriptions open at
// once, half over WebSocket (graphql-transport-ws) and half over Server-Sent Events, while an
// editor makes RATE changes per second; every change's delivery to every subscriber is timed
// from its commit (the change's at) to its arrival, and the run checks that every subscriber
// got every change, in order, once. Then the write cost of recording the feed: mutations per
// second with FEED_RECORD=off and on, alternately, the same work.

const (
	feedSubscribers = 1000
	feedRate        = 10 // changes per second
	feedDuration    = 20 * time.Second
	feedEditorKey   = "bench-feed-editor-key-0123456789"
)

// FeedResult is the report of bench -feed.
type FeedResult struct {
	Label          string        `json:"label"`
	Started        time.Time     `json:"started"`
	Machine        Machine       `json:"machine"`
	Neo4j          string        `json:"neo4j"`
	Build          string        `json:"build"`
	Dataset        Dataset       `json:"dataset"`
	Subscribers    int           `json:"subscribers"`
	Changes        int           `json:"changes"`
	Deliveries     int           `json:"deliveries"`
	Complete       int           `json:"completeSubscribers"` // every change, in order, once
	P50Ms          float64       `json:"deliveryP50Ms"`
	P99Ms          float64       `json:"deliveryP99Ms"`
	MaxMs          float64       `json:"deliveryMaxMs"`
	PeakRSSMB      float64       `json:"peakRssMB"`
	WritesOff      float64       `json:"mutationsPerSecondFeedOff"`
	WritesOn       float64       `json:"mutationsPerSecondFeedOn"`
	WriteCostRatio float64       `json:"writeCost"` // on / off
	Targets        []Target      `json:"targets"`
	Took           time.Duration `json:"tookNs"`
}

// startServer runs the partnergraph binary on a free address, as make run does but without the
// response cache and the rate limit, with extra environment (later values win); it returns
// once /readyz answers, and stop ends it.
func startServer(ctx context.Context, exe string, dbc neo4jstore.Config, env ...string) (url string, pid string, stop func(), err error) {
	addr, err := freeAddr()
	if err != nil {
		return "", "", nil, err
	}
	cmd := exec.CommandContext(ctx, exe, "serve")
	cmd.Env = append(os.Environ(), "HTTP_ADDR="+addr, "NEO4J_URI="+dbc.URI, "NEO4J_USER="+dbc.User, "NEO4J_PASSWORD="+dbc.Password,
		"SEED_IF_EMPTY=false", "APP_ENV=development", "LOG_LEVEL=error", "CACHE_MAX_BYTES=0", "RATE_LIMIT=0")
	cmd.Env = append(cmd.Env, env...)
	if err := cmd.Start(); err != nil {
		return "", "", nil, fmt.Errorf("start %s: %w", exe, err)
	}
	stop = func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }
	if err := waitReady(ctx, "http://"+addr+"/readyz"); err != nil {
		stop()
		return "", "", nil, err
	}
	return "http://" + addr, strconv.Itoa(cmd.Process.Pid), stop, nil
}

func feedBench(ctx context.Context, db *neo4jstore.DB, dbc neo4jstore.Config, exe string, o Options) (*FeedResult, error) {
	r := &FeedResult{Label: o.Label, Started: time.Now(), Machine: machine(), Build: build(), Subscribers: feedSubscribers}
	var err error
	if r.Neo4j, r.Dataset, r.Label, err = describeRun(ctx, db, r.Label); err != nil {
		return nil, err
	}
	keys := []string{"EDITOR_API_KEYS=bench=" + feedEditorKey, "MAX_SUBSCRIPTIONS_PER_CLIENT=" + strconv.Itoa(2*feedSubscribers)}

	// The write cost: the same editor work with the feed off and on, after a round that warms
	// Neo4j up (not counted), in the order off, on, on, off, so a drift over the run (caches
	// warming, the machine's other load) weighs on both alike.
	for round, on := range []bool{false, false, true, true, false} {
		url, _, stop, err := startServer(ctx, exe, dbc, append(keys, "FEED_RECORD="+map[bool]string{true: "on", false: "off"}[on])...)
		if err != nil {
			return nil, err
		}
		n, secs, err := editorWork(ctx, url, fmt.Sprintf("cost%d", round), 4, 10*time.Second)
		stop()
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(o.Log, "bench: feed recorded %v: %d mutations in %.1f s\n", on, n, secs)
		if round == 0 {
			continue // the warm-up
		}
		if on {
			r.WritesOn += float64(n) / secs / 2
		} else {
			r.WritesOff += float64(n) / secs / 2
		}
	}
	if r.WritesOff > 0 {
		r.WriteCostRatio = r.WritesOn / r.WritesOff
	}

	// Delivery: SUBSCRIBERS at once, RATE changes per second.
	url, pid, stop, err := startServer(ctx, exe, dbc, keys...)
	if err != nil {
		return nil, err
	}
	defer stop()
	// Every subscription starts after the feed's head now: those that open while the changes
	// have begun replay what they missed, so each must get every change.
	head, err := db.Feed().FeedHead(ctx)
	if err != nil {
		return nil, err
	}
	subs := make([]*subscriber, feedSubscribers)
	var opened sync.WaitGroup
	for i := range subs {
		subs[i] = &subscriber{}
		opened.Add(1)
		go subs[i].run(ctx, url, i%2 == 0, pg.ChangeCursor(head), &opened)
		if i%50 == 49 {
			time.Sleep(20 * time.Millisecond) // open them in waves, as clients arrive
		}
	}
	opened.Wait()
	var failedOpen int
	for _, s := range subs {
		if s.err != nil {
			failedOpen++
		}
	}
	if failedOpen > 0 {
		return nil, fmt.Errorf("feed: %d of %d subscriptions failed to open: %v", failedOpen, len(subs), firstErr(subs))
	}
	time.Sleep(time.Second)
	var want []string
	tick := time.NewTicker(time.Second / feedRate)
	end := time.Now().Add(feedDuration)
	hc := &http.Client{Timeout: 30 * time.Second}
	for i := 0; time.Now().Before(end); i++ {
		<-tick.C
		slug := fmt.Sprintf("feed-%s-%d", r.Started.Format("150405"), i)
		if _, err := jsonPost(ctx, hc, url+"/graphql", `mutation($slug: String!) { createTopic(input: {slug: $slug, name: "Feed bench"}) { id } }`,
			map[string]any{"slug": slug}, map[string]string{"Authorization": "Bearer " + feedEditorKey}); err != nil {
			return nil, fmt.Errorf("feed: change %d: %w", i, err)
		}
		want = append(want, "topic-"+slug)
	}
	tick.Stop()
	r.Changes = len(want)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && !allGot(subs, len(want)) {
		time.Sleep(100 * time.Millisecond)
	}
	r.PeakRSSMB = peakRSSOf(pid)
	var lat []time.Duration
	for _, s := range subs {
		s.mu.Lock()
		if slices.Equal(s.ids, want) {
			r.Complete++
		}
		r.Deliveries += len(s.ids)
		lat = append(lat, s.lat...)
		s.mu.Unlock()
		s.stop()
	}
	slices.Sort(lat)
	if len(lat) > 0 {
		r.P50Ms, r.P99Ms = percentile(lat, 0.5), percentile(lat, 0.99)
		r.MaxMs = float64(lat[len(lat)-1].Microseconds()) / 1000
	}
	// Clean up the bench's topics.
	for _, id := range want {
		if _, err := jsonPost(ctx, hc, url+"/graphql", `mutation($id: ID!) { deleteNode(id: $id) { id } }`,
			map[string]any{"id": id}, map[string]string{"Authorization": "Bearer " + feedEditorKey}); err != nil {
			fmt.Fprintf(o.Log, "bench: feed: cleaning up: %v\n", err)
			break
		}
	}
	r.Took = time.Since(r.Started)
	r.Targets = []Target{
		{Name: fmt.Sprintf("every one of %d subscribers (half WebSocket, half SSE) gets every change, in order, once", feedSubscribers),
			Measured: fmt.Sprintf("%d of %d complete; %d deliveries of %d changes", r.Complete, feedSubscribers, r.Deliveries, r.Changes), Pass: r.Complete == feedSubscribers},
		{Name: "delivery from commit to client, p99 under 1 s", Measured: fmt.Sprintf("p50 %.0f ms, p99 %.0f ms, max %.0f ms", r.P50Ms, r.P99Ms, r.MaxMs), Pass: r.P99Ms > 0 && r.P99Ms < 1000},
		{Name: "server RSS under 250 MB with the subscribers open", Measured: fmt.Sprintf("peak %.0f MB", r.PeakRSSMB), Pass: r.PeakRSSMB > 0 && r.PeakRSSMB < 250},
		{Name: "recording the feed costs under 10% of mutations per second", Measured: fmt.Sprintf("%.1f/s with the feed, %.1f/s without: %.1f%% fewer", r.WritesOn, r.WritesOff, 100*(1-r.WriteCostRatio)), Pass: r.WriteCostRatio > 0.9},
	}
	if err := writeReports(o.OutDir, "feed", r.Label, r.Started, r, r.Markdown(), o.Log); err != nil {
		return nil, err
	}
	return r, nil
}

// editorWork runs workers editors creating and deleting topics for d; it returns the
// mutations answered without error and the seconds taken.
func editorWork(ctx context.Context, url, tag string, workers int, d time.Duration) (int, float64, error) {
	hc := &http.Client{Timeout: 30 * time.Second}
	var n atomic.Int64
	var firstErr atomic.Value
	start := time.Now()
	end := start.Add(d)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			auth := map[string]string{"Authorization": "Bearer " + feedEditorKey}
			for i := 0; time.Now().Before(end); i++ {
				slug := fmt.Sprintf("bench-%s-%d-%d-%d", tag, time.Now().UnixNano(), w, i)
				if _, err := jsonPost(ctx, hc, url+"/graphql", `mutation($slug: String!) { createTopic(input: {slug: $slug, name: "Cost"}) { id } }`, map[string]any{"slug": slug}, auth); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				if _, err := jsonPost(ctx, hc, url+"/graphql", `mutation($id: ID!) { deleteNode(id: $id) { id } }`, map[string]any{"id": "topic-" + slug}, auth); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				n.Add(2)
			}
		}()
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return 0, 0, err
	}
	return int(n.Load()), time.Since(start).Seconds(), nil
}

// subscriber is one benchmark subscription: the topics it received, in order, and how long
// each took from its commit.
type subscriber struct {
	mu   sync.Mutex
	ids  []string
	lat  []time.Duration
	err  error
	stop func()
}

const feedSubscription = `subscription($after: String) { changes(after: $after, kinds: [TOPIC], operations: [CREATED]) { cursor id at } }`

func (s *subscriber) got(data []byte) {
	var m struct {
		Data struct {
			Changes struct {
				ID string
				At time.Time
			}
		}
	}
	if json.Unmarshal(data, &m) != nil || m.Data.Changes.ID == "" || !strings.HasPrefix(m.Data.Changes.ID, "topic-feed-") {
		return
	}
	s.mu.Lock()
	s.ids = append(s.ids, m.Data.Changes.ID)
	s.lat = append(s.lat, time.Since(m.Data.Changes.At))
	s.mu.Unlock()
}

// run opens the subscription (WebSocket or SSE), marks opened, and reads until stopped.
func (s *subscriber) run(ctx context.Context, url string, ws bool, after string, opened *sync.WaitGroup) {
	ctx, cancel := context.WithCancel(ctx)
	s.stop = cancel
	done := sync.OnceFunc(opened.Done)
	defer done()
	if ws {
		c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(url, "http")+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
		if err != nil {
			s.err = err
			return
		}
		c.SetReadLimit(1 << 20)
		defer func() { _ = c.CloseNow() }()
		send := func(v any) error { b, _ := json.Marshal(v); return c.Write(ctx, websocket.MessageText, b) }
		if err := send(map[string]any{"type": "connection_init"}); err != nil {
			s.err = err
			return
		}
		if _, _, err := c.Read(ctx); err != nil {
			s.err = err
			return
		}
		if err := send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": feedSubscription, "variables": map[string]any{"after": after}}}); err != nil {
			s.err = err
			return
		}
		done()
		for {
			_, b, err := c.Read(ctx)
			if err != nil {
				return
			}
			var m struct {
				Type    string
				Payload json.RawMessage
			}
			_ = json.Unmarshal(b, &m)
			switch m.Type {
			case "next":
				s.got(m.Payload)
			case "ping":
				_ = send(map[string]any{"type": "pong"})
			}
		}
	}
	body, _ := json.Marshal(map[string]any{"query": feedSubscription, "variables": map[string]any{"after": after}})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.err = err
		return
	}
	defer res.Body.Close()
	done()
	lines := bufio.NewScanner(res.Body)
	lines.Buffer(make([]byte, 64<<10), 1<<20)
	for lines.Scan() {
		if data, ok := strings.CutPrefix(lines.Text(), "data: "); ok {
			s.got([]byte(data))
		}
	}
}

func allGot(subs []*subscriber, n int) bool {
	for _, s := range subs {
		s.mu.Lock()
		k := len(s.ids)
		s.mu.Unlock()
		if k < n {
			return false
		}
	}
	return true
}

func firstErr(subs []*subscriber) error {
	for _, s := range subs {
		if s.err != nil {
			return s.err
		}
	}
	return nil
}

// Markdown is the feed report.
func (r *FeedResult) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# partnergraph change feed: %s, %s\n\n", r.Label, r.Started.UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "- Machine: %d CPUs (%s), %d MB memory, %s\n- Go %s; Neo4j %s; code %s\n- Dataset: %d entities\n\n", r.Machine.CPUs, r.Machine.CPUModel, r.Machine.MemoryMB, r.Machine.OS, r.Machine.Go, r.Neo4j, r.Build, r.Dataset.Entities)
	fmt.Fprintf(&b, "%d subscribers on one server (half graphql-transport-ws, half graphql-sse), an editor making %d changes a second for %s: %d changes, %d deliveries. Write cost: 4 editors creating and deleting topics for 10 s on a fresh server, FEED_RECORD=off, on, on, off after a warm-up round; every subscription starts from the feed's head before the changes.\n\n",
		r.Subscribers, feedRate, feedDuration, r.Changes, r.Deliveries)
	b.WriteString("| | target | measured |\n| --- | --- | --- |\n")
	for _, t := range r.Targets {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", t.verdict(), t.Name, t.Measured)
	}
	return b.String()
}
