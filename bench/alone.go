package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"github.com/unicri/partnergraph/neo4jstore"
	"github.com/unicri/partnergraph/server"
)

// The peak RSS target is the server's, but the main run serves the API inside the harness,
// whose peak includes the load generator's buffers. So after the main run the harness starts
// itself again as a bare server (-serve-only, a fresh one per document) and sends every
// document to it at every level, reading the child's peak from /proc: the server alone.

// AloneLevel is one document at one level against the server alone.
type AloneLevel struct {
	Document    string  `json:"document"`
	Concurrency int     `json:"concurrency"`
	API         Stats   `json:"api"`
	PeakRSSMB   float64 `json:"peakRssMB"` // the server process's VmHWM while the level ran
}

// serveOnly is the child: the API over db on addr, as the main run serves it, until ctx ends.
// The editor key comes from BENCH_EDITOR_KEY.
func serveOnly(ctx context.Context, db *neo4jstore.DB, addr string) error {
	server.SetMemoryLimit(0) // as partnergraph serve does by default
	srv := &http.Server{Addr: addr, Handler: apiHandler(ctx, db, os.Getenv("BENCH_EDITOR_KEY"), os.Stderr),
		ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Shutdown(context.Background())
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// runAlone starts the server alone and measures docs against it at every level of o.
func runAlone(ctx context.Context, o Options, db neo4jstore.Config, docs []document) ([]AloneLevel, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	key := rand.Text()
	var out []AloneLevel
	// A fresh server per document: Go returns freed memory to the OS slowly, so one document's
	// peak would otherwise carry over into the next's.
	for _, d := range docs {
		levels, err := aloneDocument(ctx, o, exe, addr, key, db, d)
		out = append(out, levels...)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// aloneDocument starts the server alone, measures d at every level, and stops the server.
func aloneDocument(ctx context.Context, o Options, exe, addr, key string, db neo4jstore.Config, d document) ([]AloneLevel, error) {
	cmd := exec.CommandContext(ctx, exe, "-serve-only", addr, "-uri", db.URI, "-user", db.User, "-database", db.Database)
	cmd.Env = append(os.Environ(), "BENCH_EDITOR_KEY="+key, "NEO4J_PASSWORD="+db.Password)
	cmd.Stdout, cmd.Stderr = o.Log, o.Log
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	if err := waitReady(ctx, "http://"+addr+"/readyz"); err != nil {
		return nil, err
	}
	pid := strconv.Itoa(cmd.Process.Pid)
	var out []AloneLevel
	for _, n := range o.Concurrency {
		c := newClient("http://"+addr+"/graphql", key, n)
		var left leftovers
		api := apiCall(c, &d, &left)
		settle(ctx, c)
		if o.Warmup > 0 {
			hammer(ctx, n, o.Warmup, api)
		}
		resetPeakRSSOf(pid)
		l := AloneLevel{Document: d.Name, Concurrency: n, API: hammer(ctx, n, o.Duration, api)}
		l.PeakRSSMB = peakRSSOf(pid)
		left.clean(ctx, c)
		fmt.Fprintf(o.Log, "server alone: %-24s c=%-3d %8.1f req/s  p50 %7.2f  p99 %7.2f ms  %d errors  peak RSS %.0f MB\n",
			d.Name, n, l.API.Throughput, l.API.P50, l.API.P99, l.API.Errors, l.PeakRSSMB)
		out = append(out, l)
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
	}
	return out, nil
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// waitReady polls url until it answers 200, for up to a minute.
func waitReady(ctx context.Context, url string) error {
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		res, err := http.Get(url)
		if err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return fmt.Errorf("the server alone did not get ready at %s", url)
}
