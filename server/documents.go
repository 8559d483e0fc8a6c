package server

import (
	"context"
	"encoding/hex"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	pg "github.com/unicri/partnergraph"
)

// documents decides, before a document is parsed, whether the caller may run it, and bounds
// what parsing and validation can cost. It runs first among gqlgen's extensions (it is an
// OperationParameterMutator: gqlgen calls those before it parses):
//
//  1. the persisted-query extension is read strictly (PERSISTED_QUERY_INVALID when malformed,
//     PERSISTED_QUERY_HASH_MISMATCH, PERSISTED_QUERY_NOT_FOUND);
//  2. where anonymous callers may run trusted documents only, an anonymous document (or hash)
//     is looked up among them, and anything else is refused (PERSISTED_QUERY_NOT_ALLOWED)
//     without being parsed;
//  3. a document not already validated (gqlgen's query cache holds those) is parsed under the
//     token limit and measured in one linear pass (docBudget) before validation sees it.
type documents struct {
	limits  Limits
	budget  docBudget
	trusted map[string]string          // sha256 hex -> document
	apq     *lru.Cache[string, string] // documents registered by hash (automatic persisted queries)
	valid   *queryCache                // gqlgen's cache of parsed, validated documents
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = (*documents)(nil)

func (*documents) ExtensionName() string                   { return "Documents" }
func (*documents) Validate(graphql.ExecutableSchema) error { return nil }

// maxRegistered bounds the documents automatic persisted queries may register, and the size
// of one: clients cannot fill the server's memory with registrations.
const (
	maxRegistered     = 1000
	maxRegisteredSize = 64 << 10
)

func newDocuments(l Limits, valid *queryCache) *documents {
	apq, _ := lru.New[string, string](maxRegistered)
	return &documents{limits: l, budget: l.budget(), trusted: l.Trusted, apq: apq, valid: valid}
}

func persistedError(code, msg string) *gqlerror.Error {
	err := &gqlerror.Error{Message: msg}
	errcode.Set(err, code)
	return err
}

// MutateOperationParameters runs before gqlgen parses the document.
func (d *documents) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	hash, err := persistedHash(p.Extensions)
	if err != nil {
		return err
	}
	anonymousTrustedOnly := d.limits.TrustedOnly && pg.CallerFromContext(ctx).Access == pg.AccessAnonymous
	switch {
	case hash != "" && p.Query == "":
		doc, ok := d.trusted[hash]
		if !ok && !anonymousTrustedOnly {
			doc, ok = d.apq.Get(hash)
		}
		if !ok {
			// The message is the one Apollo Client and our web client look for before they
			// send the document itself.
			return persistedError("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
		}
		p.Query = doc
	case hash != "":
		if DocumentHash(p.Query) != hash {
			return persistedError("PERSISTED_QUERY_HASH_MISMATCH", "extensions.persistedQuery.sha256Hash is not the SHA-256 of the document")
		}
		if _, trusted := d.trusted[hash]; !trusted && !anonymousTrustedOnly && len(p.Query) <= maxRegisteredSize {
			d.apq.Add(hash, p.Query)
		}
	}
	if anonymousTrustedOnly {
		if _, ok := d.trusted[cmpOr(hash, DocumentHash(p.Query))]; !ok {
			return limitError("PERSISTED_QUERY_NOT_ALLOWED", "anonymous callers may run the published documents only; sign in to send your own")
		}
		return nil // trusted documents are within the limits (they are warmed at start)
	}
	if _, ok := d.valid.Get(ctx, p.Query); ok {
		return nil // parsed, measured and validated before
	}
	doc, perr := parser.ParseQueryWithTokenLimit(&ast.Source{Input: p.Query}, d.limits.MaxTokens)
	if perr != nil {
		return nil // gqlgen parses again and reports the syntax error with its own code
	}
	if lerr, _ := d.budget.check(doc); lerr != nil {
		return lerr
	}
	return nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// persistedHash reads extensions.persistedQuery: absent, or {version: 1, sha256Hash: <64 hex
// digits>}. Returns the hash in lower case.
func persistedHash(ext map[string]any) (string, *gqlerror.Error) {
	raw, ok := ext["persistedQuery"]
	if !ok || raw == nil {
		return "", nil
	}
	invalid := func(msg string) (string, *gqlerror.Error) {
		return "", persistedError("PERSISTED_QUERY_INVALID", msg)
	}
	pq, ok := raw.(map[string]any)
	if !ok {
		return invalid("extensions.persistedQuery must be an object {version: 1, sha256Hash}")
	}
	if v, _ := intArg(pq["version"]); v != 1 || pq["version"] == nil {
		return invalid("extensions.persistedQuery.version must be 1")
	}
	h, ok := pq["sha256Hash"].(string)
	if !ok {
		return invalid("extensions.persistedQuery.sha256Hash must be a string")
	}
	if b, err := hex.DecodeString(h); err != nil || len(b) != 32 {
		return invalid("extensions.persistedQuery.sha256Hash must be 64 hexadecimal digits")
	}
	return strings.ToLower(h), nil
}

// queryCache is gqlgen's cache of parsed and validated documents, bounded in entries and in
// the size of what it keeps: a document longer than maxCachedDocument is validated each time
// rather than kept.
type queryCache struct {
	c *lru.Cache[string, *ast.QueryDocument]
}

const maxCachedDocument = 64 << 10

func newQueryCache(n int) *queryCache {
	c, _ := lru.New[string, *ast.QueryDocument](n)
	return &queryCache{c}
}

func (q *queryCache) Get(_ context.Context, key string) (*ast.QueryDocument, bool) {
	return q.c.Get(key)
}

func (q *queryCache) Add(_ context.Context, key string, value *ast.QueryDocument) {
	if len(key) <= maxCachedDocument {
		q.c.Add(key, value)
	}
}

// warmTrusted parses and validates the trusted documents into the query cache at start: the
// first visitor does not pay for them, and anonymous callers in production never cause a
// validation.
func warmTrusted(es graphql.ExecutableSchema, valid *queryCache, trusted map[string]string) {
	for _, text := range trusted {
		doc, err := parser.ParseQuery(&ast.Source{Input: text})
		if err != nil {
			continue // reported when sent, as for any document
		}
		if errs := validator.Validate(es.Schema(), doc); len(errs) == 0 {
			valid.Add(context.Background(), text, doc)
		}
	}
}
