package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// client sends GraphQL requests to the in-process server over real HTTP, with keep-alive
// connections for every simulated client.
type client struct {
	base      string // http://127.0.0.1:port/graphql
	http      *http.Client
	editorKey string
}

func newClient(base, editorKey string, conns int) *client {
	t := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns,
		IdleConnTimeout: time.Minute, DisableCompression: true}
	return &client{base: base, http: &http.Client{Transport: t, Timeout: time.Minute}, editorKey: editorKey}
}

// reply is what the harness reads of a response.
type reply struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message string `json:"message"`
	} `json:"errors"`
	Extensions struct {
		CypherRoundTrips *int64 `json:"cypherRoundTrips"`
	} `json:"extensions"`
	cacheHit bool
}

// send sends one request of d with vars; requestID, if set, names it in the server's context.
// Errors are transport failures, non-200 answers and GraphQL errors.
func (c *client) send(ctx context.Context, d *document, vars map[string]any, requestID string) (reply, error) {
	var rep reply
	req, err := c.newRequest(ctx, d, vars)
	if err != nil {
		return rep, err
	}
	if requestID != "" {
		req.Header.Set("X-Request-Id", requestID)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return rep, err
	}
	body, err := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if err != nil {
		return rep, err
	}
	rep.cacheHit = res.Header.Get("X-Cache") == "hit"
	if res.StatusCode != http.StatusOK {
		return rep, fmt.Errorf("HTTP %d: %.200s", res.StatusCode, body)
	}
	if err := json.Unmarshal(body, &rep); err != nil {
		return rep, fmt.Errorf("response: %w", err)
	}
	if len(rep.Errors) > 0 {
		return rep, fmt.Errorf("GraphQL error: %s", rep.Errors[0].Message)
	}
	return rep, nil
}

func (c *client) newRequest(ctx context.Context, d *document, vars map[string]any) (*http.Request, error) {
	var req *http.Request
	var err error
	if d.get {
		q := url.Values{"query": {d.query}}
		if vars != nil {
			v, err := json.Marshal(vars)
			if err != nil {
				return nil, err
			}
			q.Set("variables", string(v))
		}
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, c.base+"?"+q.Encode(), nil)
	} else {
		body, merr := json.Marshal(map[string]any{"query": d.query, "variables": vars})
		if merr != nil {
			return nil, merr
		}
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, c.base, bytes.NewReader(body))
		if req != nil {
			req.Header.Set("Content-Type", "application/json")
		}
	}
	if err != nil {
		return nil, err
	}
	if !d.cached {
		req.Header.Set("Cache-Control", "no-cache")
	}
	if d.editor {
		req.Header.Set("Authorization", "Bearer "+c.editorKey)
	}
	return req, nil
}

// query sends an anonymous, uncached document and decodes its data into out.
func (c *client) query(ctx context.Context, query string, vars map[string]any, out any) error {
	rep, err := c.send(ctx, &document{query: query}, vars, "")
	if err != nil {
		return err
	}
	return json.Unmarshal(rep.Data, out)
}
