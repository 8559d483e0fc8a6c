package server

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// WarmDocument is a document to send once at start, with variables for it (nil: placeholders).
type WarmDocument struct {
	Query     string
	Variables map[string]any
}

// WarmUp sends every query of docs through the handler once, as an anonymous caller past the
// response cache, two at a time, so that the statements the published documents compile to are
// planned by Neo4j and their texts cached before the first visitor asks: planning a compiled
// statement costs Neo4j tens to hundreds of milliseconds, once. A document without variables
// gets placeholders of its variables' types (the values do not change the statement, only what
// it finds). Errors are logged and do not stop the warm-up; it returns when every document was
// sent or ctx ends.
func WarmUp(ctx context.Context, h http.Handler, docs []WarmDocument, log *slog.Logger) {
	start := time.Now()
	work := make(chan WarmDocument)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for d := range work {
				warmOne(ctx, h, d, log)
			}
		})
	}
	for _, d := range docs {
		select {
		case work <- d:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
	log.Info("warmed the published documents", "documents", len(docs), "took_ms", time.Since(start).Milliseconds())
}

func warmOne(ctx context.Context, h http.Handler, d WarmDocument, log *slog.Logger) {
	doc, err := parser.ParseQuery(&ast.Source{Input: d.Query})
	if err != nil {
		return
	}
	for _, op := range doc.Operations {
		if op.Operation != ast.Query {
			continue
		}
		vars := d.Variables
		if vars == nil {
			vars = placeholders(op.VariableDefinitions)
		}
		body, _ := json.Marshal(map[string]any{"query": d.Query, "operationName": op.Name, "variables": vars})
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Cache-Control", "no-cache")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			log.Debug("warm-up: a document did not answer", "operation", op.Name, "status", rec.Code)
		}
	}
}

// placeholders gives every variable without a default a value of its type.
func placeholders(defs ast.VariableDefinitionList) map[string]any {
	vars := map[string]any{}
	for _, v := range defs {
		if v.DefaultValue != nil || !v.Type.NonNull {
			continue
		}
		vars[v.Variable] = placeholder(v.Type)
	}
	return vars
}

func placeholder(t *ast.Type) any {
	if t.Elem != nil {
		return []any{placeholder(t.Elem), placeholder(t.Elem)}
	}
	switch t.NamedType {
	case "Int":
		return 10
	case "Float":
		return 1.0
	case "Boolean":
		return true
	}
	return "warm-up"
}
