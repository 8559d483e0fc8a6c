package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/unicri/partnergraph/neo4jstore"
)

// startPeer runs the peer (bench/peer/server.mjs: the Neo4j GraphQL Library on graphql-yoga)
// over the same database, on a free loopback port, and returns its GraphQL URL and a stop
// function. Its packages must be installed (make bench runs npm ci in bench/peer).
func startPeer(ctx context.Context, db neo4jstore.Config, dir string) (string, func(), error) {
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@neo4j", "graphql")); err != nil {
		return "", nil, fmt.Errorf("the peer's packages are not installed: run npm ci in %s (make bench does)", dir)
	}
	addr, err := freeAddr()
	if err != nil {
		return "", nil, err
	}
	port := addr[strings.LastIndex(addr, ":")+1:]
	cmd := exec.CommandContext(ctx, "node", "server.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PORT="+port, "NEO4J_URI="+db.URI, "NEO4J_USER="+db.User, "NEO4J_PASSWORD="+db.Password)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start the peer: %w", err)
	}
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
		}
	}
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) == "ready" {
				ready <- true
			}
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		if !ok {
			stop()
			return "", nil, fmt.Errorf("the peer exited before it was ready")
		}
	case <-time.After(60 * time.Second):
		stop()
		return "", nil, fmt.Errorf("the peer was not ready within a minute")
	}
	return "http://" + addr + "/graphql", stop, nil
}
