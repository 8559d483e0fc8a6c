package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// outageNeo4j is a throwaway Neo4j of the test's own (scripts/neo4j on another port and data
// directory) that the test stops and starts; the shared test database is not touched.
type outageNeo4j struct {
	t    *testing.T
	root string
	port int
	dir  string
}

func (n outageNeo4j) run(cmd string) {
	n.t.Helper()
	c := exec.Command(filepath.Join(n.root, "scripts", "neo4j"), cmd)
	c.Env = append(withoutEnv("NEO4J_URI"), "NEO4J_PORT="+strconv.Itoa(n.port), "NEO4J_DATA_DIR="+n.dir,
		"NEO4J_USER=neo4j", "NEO4J_PASSWORD=partnergraph", "NEO4J_HEAP=256m")
	if out, err := c.CombinedOutput(); err != nil {
		n.t.Fatalf("scripts/neo4j %s: %v\n%s", cmd, err, out)
	}
}

func withoutEnv(keys ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, key := range keys {
			drop = drop || k == key
		}
		if !drop {
			out = append(out, kv)
		}
	}
	return out
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestServerSurvivesNeo4jOutage runs the real binary: it must start and answer while Neo4j is
// down, become ready when Neo4j comes up, answer SERVICE_UNAVAILABLE (not hang) while Neo4j is
// stopped, recover by itself when it is back, and shut down cleanly on SIGTERM.
func TestServerSurvivesNeo4jOutage(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	neo := outageNeo4j{t: t, root: root, port: freePort(t), dir: t.TempDir()}
	t.Cleanup(func() { neo.run("stop") })

	bin := filepath.Join(t.TempDir(), "partnergraph")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	srv := exec.Command(bin, "serve")
	srv.Env = append(withoutEnv("NEO4J_URI"), "NEO4J_URI=bolt://127.0.0.1:"+strconv.Itoa(neo.port), "HTTP_ADDR="+addr,
		"NEO4J_USER=neo4j", "NEO4J_PASSWORD=partnergraph", "LOG_FORMAT=json", "SEED_IF_EMPTY=true")
	logs, err := os.Create(filepath.Join(t.TempDir(), "serve.log"))
	if err != nil {
		t.Fatal(err)
	}
	srv.Stdout, srv.Stderr = logs, logs
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- srv.Wait() }()
	t.Cleanup(func() {
		_ = srv.Process.Kill()
		if t.Failed() {
			b, _ := os.ReadFile(logs.Name())
			t.Logf("server log:\n%s", b)
		}
	})
	base := "http://" + addr

	waitFor(t, 10*time.Second, "the server to listen", func() bool { return status(base+"/healthz") == 200 })

	t.Run("Neo4j down at start", func(t *testing.T) {
		if got := status(base + "/readyz"); got != 503 {
			t.Errorf("/readyz: got %d, want 503", got)
		}
		wantUnavailable(t, base)
	})

	neo.run("start")
	waitFor(t, 60*time.Second, "/readyz to turn 200 after Neo4j started", func() bool { return status(base+"/readyz") == 200 })
	t.Run("Neo4j up: seeded and serving", func(t *testing.T) {
		if got := query(t, base, `{ organisation(slug: "interpol") { id } }`); !strings.Contains(got, `"org-interpol"`) {
			t.Errorf("query after start: %s", got)
		}
	})

	neo.run("stop")
	t.Run("Neo4j stopped while serving", func(t *testing.T) {
		if got := status(base + "/healthz"); got != 200 {
			t.Errorf("/healthz: got %d, want 200 (the process is alive)", got)
		}
		if got := status(base + "/readyz"); got != 503 {
			t.Errorf("/readyz: got %d, want 503", got)
		}
		wantUnavailable(t, base)
	})

	neo.run("start")
	waitFor(t, 60*time.Second, "recovery after Neo4j came back", func() bool {
		return strings.Contains(query(t, base, `{ organisation(slug: "interpol") { id } }`), `"org-interpol"`)
	})
	if got := status(base + "/readyz"); got != 200 {
		t.Errorf("/readyz after recovery: got %d, want 200", got)
	}

	if err := srv.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("serve exited with %v after SIGTERM, want a clean exit", err)
		}
	case <-time.After(30 * time.Second):
		t.Errorf("serve did not exit within 30s of SIGTERM")
	}
}

// wantUnavailable checks a query fails fast with SERVICE_UNAVAILABLE.
func wantUnavailable(t *testing.T, base string) {
	t.Helper()
	start := time.Now()
	body := query(t, base, `{ organisations(first: 1) { nodes { id } } }`)
	var r struct {
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	_ = json.Unmarshal([]byte(body), &r)
	if len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "SERVICE_UNAVAILABLE" {
		t.Errorf("query while Neo4j is down: got %s, want SERVICE_UNAVAILABLE", body)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("query while Neo4j is down took %s: it must fail fast", took)
	}
}

func status(url string) int {
	c := http.Client{Timeout: 5 * time.Second}
	res, err := c.Get(url)
	if err != nil {
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}

func query(t *testing.T, base, q string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	body, _ := json.Marshal(map[string]string{"query": q})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "request failed: " + err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

func waitFor(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", limit, what)
		}
		time.Sleep(250 * time.Millisecond)
	}
}
