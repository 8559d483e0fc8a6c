package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/), checked by the
// graphql-http audit suite in `make audit`.
//
// Media types: the response is application/graphql-response+json when the Accept header names
// it at least as highly as application/json, and application/json otherwise, including when
// there is no Accept header or only wildcards (the legacy clients). An Accept header that allows
// neither answers 406.
//
// Status codes, by response media type:
//
//	                                          application/json   application/graphql-response+json
//	executed (data present, even with errors)       200                      200
//	request error (document does not parse or
//	validate, unknown operation, bad variables)     200                      400, no data entry
//	nothing answered: the database is busy or down  503, Retry-After         503, Retry-After
//	malformed request (bad JSON, missing query,
//	parameters of the wrong type)                   400                      400
//	body over the limit                             413                      413
//	POST body not JSON (or not UTF-8)               415                      415
//	mutation over GET                               405, Allow: POST         405, Allow: POST
//	method other than GET, POST, OPTIONS            405, Allow               405, Allow
//	OPTIONS                                         204, Allow               204, Allow
//	Accept allows neither media type                406 (application/json)
//
// The spec prescribes no 422: gqlgen's own transports answered request errors with 422 under
// application/json, which the spec discourages (a legacy client trusts only a 200).

const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
	allowedMethods       = "GET, POST, OPTIONS"
)

// graphQLOverHTTP is the one gqlgen transport of /graphql: JSON POST (queries and mutations)
// and GET (queries only). It answers every request, refusing other methods and media types
// itself, so it must be the last transport added. Form and multipart bodies are refused: they
// are "simple" CORS requests that a browser sends cross-site without a preflight.
type graphQLOverHTTP struct {
	// maxBodyBytes is the body limit; a longer body answers 413. The handler's MaxBytesReader
	// enforces it; knowing it here answers bodies that declare their length before reading them.
	maxBodyBytes int64
}

var _ graphql.Transport = graphQLOverHTTP{}

// Supports accepts every request: refusals are answered by Do with the status the spec asks for.
func (graphQLOverHTTP) Supports(*http.Request) bool { return true }

// Do answers one request.
func (t graphQLOverHTTP) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	start := graphql.Now()
	w.Header().Add("Vary", "Accept") // shared caches must not hand one media type to another client
	media, acceptable := negotiate(r.Header)
	if !acceptable {
		media = mediaJSON // the error body has to be in some type; JSON is the one every client reads
	}
	switch r.Method {
	case http.MethodGet, http.MethodPost:
	case http.MethodOptions:
		w.Header().Set("Allow", allowedMethods)
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		w.Header().Set("Allow", allowedMethods)
		writeProblem(w, media, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED",
			"use GET for queries or POST for queries and mutations")
		return
	}
	if !acceptable {
		writeProblem(w, media, http.StatusNotAcceptable, "NOT_ACCEPTABLE",
			"the Accept header allows neither "+mediaGraphQLResponse+" nor "+mediaJSON)
		return
	}
	var params *graphql.RawParams
	var p *problem
	if r.Method == http.MethodGet {
		params, p = paramsFromURL(r.URL)
	} else {
		params, p = t.paramsFromBody(r)
	}
	if p != nil {
		writeProblem(w, media, p.status, p.code, p.message)
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}

	ctx := r.Context()
	opCtx, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		if r.Method == http.MethodGet && selectsMutation(params) {
			refuseMutationOverGET(w, media)
			return
		}
		status := http.StatusOK
		if media == mediaGraphQLResponse {
			status = http.StatusBadRequest
		}
		writeResponse(w, media, status, exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs))
		return
	}
	if r.Method == http.MethodGet && opCtx.Operation.Operation != ast.Query {
		refuseMutationOverGET(w, media)
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	res := responses(ctx)
	if res == nil { // the request's context ended before the operation ran
		res = &graphql.Response{Errors: gqlerror.List{{Message: "the request was cancelled or timed out before it ran",
			Extensions: map[string]any{"code": "SERVICE_BUSY"}}}}
	}
	status := executedStatus(media, res)
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	writeResponse(w, media, status, res)
}

// executedStatus is the status of a response that went through execution: 503 when it answers
// nothing because the database is busy or unavailable (every error says so and no root field
// has a value), else 200, unless it has no data entry, which application/graphql-response+json
// must signal with a 4xx or 5xx.
func executedStatus(media string, res *graphql.Response) int {
	if len(res.Errors) > 0 && nothingAnswered(res.Data) && all(res.Errors, func(e *gqlerror.Error) bool {
		return e.Extensions["code"] == "SERVICE_UNAVAILABLE" || e.Extensions["code"] == "SERVICE_BUSY"
	}) {
		return http.StatusServiceUnavailable
	}
	if media != mediaGraphQLResponse || res.Data != nil {
		return http.StatusOK
	}
	return http.StatusInternalServerError
}

// nothingAnswered reports whether data is absent, null, or an object of nulls only.
func nothingAnswered(data json.RawMessage) bool {
	if len(data) == 0 || string(data) == "null" {
		return true
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(data, &fields) != nil {
		return false
	}
	for _, v := range fields {
		if string(v) != "null" {
			return false
		}
	}
	return true
}

func all[T any](xs []T, ok func(T) bool) bool {
	for _, x := range xs {
		if !ok(x) {
			return false
		}
	}
	return true
}

func refuseMutationOverGET(w http.ResponseWriter, media string) {
	w.Header().Set("Allow", http.MethodPost)
	writeProblem(w, media, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED",
		"GET runs queries only: send mutations with POST")
}

// selectsMutation reports whether the document and operation name pick a mutation, so that a
// GET answers 405 for it even when the document does not validate.
func selectsMutation(params *graphql.RawParams) bool {
	doc, err := parser.ParseQuery(&ast.Source{Input: params.Query})
	if err != nil {
		return false
	}
	op := doc.Operations.ForName(params.OperationName)
	return op != nil && op.Operation == ast.Mutation
}

// problem is a request refused before GraphQL sees it.
type problem struct {
	status        int
	code, message string
}

func badRequest(format string, args ...any) *problem {
	return &problem{http.StatusBadRequest, "BAD_REQUEST", fmt.Sprintf(format, args...)}
}

// jsonBody reports whether a POST's Content-Type is JSON in UTF-8, the one body the API reads.
func jsonBody(contentType string) bool {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != mediaJSON {
		return false
	}
	cs, ok := params["charset"]
	return !ok || strings.EqualFold(cs, "utf-8") || strings.EqualFold(cs, "utf8")
}

// paramsFromBody reads a JSON POST.
func (t graphQLOverHTTP) paramsFromBody(r *http.Request) (*graphql.RawParams, *problem) {
	if !jsonBody(r.Header.Get("Content-Type")) {
		return nil, &problem{http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE",
			"send the request as JSON in UTF-8: Content-Type: application/json"}
	}
	tooLarge := func(limit int64) *problem {
		return &problem{http.StatusRequestEntityTooLarge, "REQUEST_TOO_LARGE",
			fmt.Sprintf("the request body is larger than %d bytes", limit)}
	}
	if t.maxBodyBytes > 0 && r.ContentLength > t.maxBodyBytes {
		return nil, tooLarge(t.maxBodyBytes)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			return nil, tooLarge(mbe.Limit)
		}
		return nil, badRequest("the request body could not be read")
	}
	return paramsFromJSON(body)
}

// paramsFromJSON reads the body of a JSON POST: an object with a string query, an optional string
// operationName and optional variables and extensions objects (null is the same as absent).
func paramsFromJSON(body []byte) (*graphql.RawParams, *problem) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, badRequest("the request body is empty: send {\"query\": ...}")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return nil, badRequest("the request body is not a JSON object: %s", jsonProblem(err))
	}
	params := &graphql.RawParams{}
	hasQuery := false
	if raw, ok := fields["query"]; ok && !isNull(raw) {
		if raw[0] != '"' || json.Unmarshal(raw, &params.Query) != nil {
			return nil, badRequest("query must be a string")
		}
		hasQuery = true
	}
	if raw, ok := fields["operationName"]; ok && !isNull(raw) {
		if raw[0] != '"' || json.Unmarshal(raw, &params.OperationName) != nil {
			return nil, badRequest("operationName must be a string")
		}
	}
	var p *problem
	if params.Variables, p = object("variables", fields["variables"]); p != nil {
		return nil, p
	}
	if params.Extensions, p = object("extensions", fields["extensions"]); p != nil {
		return nil, p
	}
	if !hasQuery && params.Extensions["persistedQuery"] == nil {
		return nil, badRequest("the request has no query")
	}
	return params, nil
}

// paramsFromURL reads a GET: query, operationName, and variables and extensions as JSON.
func paramsFromURL(u *url.URL) (*graphql.RawParams, *problem) {
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, badRequest("the URL query cannot be parsed: %v", err)
	}
	params := &graphql.RawParams{Query: q.Get("query"), OperationName: q.Get("operationName")}
	var p *problem
	if v := q.Get("variables"); v != "" {
		if params.Variables, p = object("variables", json.RawMessage(v)); p != nil {
			return nil, p
		}
	}
	if v := q.Get("extensions"); v != "" {
		if params.Extensions, p = object("extensions", json.RawMessage(v)); p != nil {
			return nil, p
		}
	}
	if !q.Has("query") && params.Extensions["persistedQuery"] == nil {
		return nil, badRequest("the request has no query parameter")
	}
	return params, nil
}

// object decodes an optional map parameter; numbers stay json.Number, as gqlgen expects.
func object(name string, raw json.RawMessage) (map[string]any, *problem) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || isNull(raw) {
		return nil, nil
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if raw[0] != '{' || dec.Decode(&m) != nil || dec.More() {
		return nil, badRequest("%s must be a JSON object", name)
	}
	return m, nil
}

func isNull(raw json.RawMessage) bool { return string(raw) == "null" }

func jsonProblem(err error) string {
	if err == nil {
		return "got null"
	}
	return err.Error()
}

// negotiate picks the response media type from the Accept header (RFC 9110 12.5.1): the type
// with the higher quality wins; at equal quality the more specific match wins, and at equal
// specificity application/graphql-response+json when both are named, application/json when
// only wildcards match them. No usable Accept header means application/json. ok is false when
// the header allows neither type.
func negotiate(h http.Header) (media string, ok bool) {
	type match struct {
		q           float64
		specificity int // -1 none, 0 */*, 1 application/*, 2 the type itself
	}
	gr, js := match{specificity: -1}, match{specificity: -1}
	ranges := 0
	for _, v := range h.Values("Accept") {
		for part := range strings.SplitSeq(v, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil {
				continue
			}
			q := 1.0
			if s, found := params["q"]; found {
				if q, err = strconv.ParseFloat(s, 64); err != nil || q < 0 || q > 1 {
					continue
				}
			}
			ranges++
			for _, c := range []struct {
				m    *match
				name string
			}{{&gr, mediaGraphQLResponse}, {&js, mediaJSON}} {
				if s := specificity(mt, c.name); s > c.m.specificity {
					*c.m = match{q, s}
				}
			}
		}
	}
	if ranges == 0 {
		return mediaJSON, true
	}
	switch {
	case gr.q == 0 && js.q == 0:
		return "", false
	case gr.q > js.q:
		return mediaGraphQLResponse, true
	case gr.q < js.q:
		return mediaJSON, true
	case gr.specificity > js.specificity || gr.specificity == 2 && js.specificity == 2:
		return mediaGraphQLResponse, true
	default:
		return mediaJSON, true
	}
}

// specificity says how closely a media range of an Accept header matches a media type.
func specificity(mediaRange, media string) int {
	switch {
	case mediaRange == media:
		return 2
	case mediaRange == "application/*":
		return 1
	case mediaRange == "*/*" || mediaRange == "*": // "*" is what some old clients send for */*
		return 0
	}
	return -1
}

// contentType is the Content-Type of a response in media.
func contentType(media string) string { return media + "; charset=utf-8" }

// writeProblem answers a refused request with a GraphQL error document and no data entry.
func writeProblem(w http.ResponseWriter, media string, status int, code, message string) {
	b, _ := json.Marshal(bareResponse{Errors: gqlerror.List{{Message: message, Extensions: map[string]any{"code": code}}}})
	w.Header().Set("Content-Type", contentType(media))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// bareResponse is graphql.Response without a data entry when there is no data: a GraphQL
// response after a request error has none, and application/graphql-response+json clients tell
// "not executed" (no entry) from "executed, null" (data: null) by it.
type bareResponse struct {
	Errors     gqlerror.List   `json:"errors,omitempty"`
	Data       json.RawMessage `json:"data,omitempty"`
	Label      string          `json:"label,omitempty"`
	Path       ast.Path        `json:"path,omitempty"`
	HasNext    *bool           `json:"hasNext,omitempty"`
	Extensions map[string]any  `json:"extensions,omitempty"`
}

// writeResponse writes a GraphQL response. application/json keeps gqlgen's encoding byte for byte
// (with "data":null after a request error, as before); application/graphql-response+json leaves
// out a missing data entry.
func writeResponse(w http.ResponseWriter, media string, status int, res *graphql.Response) {
	b, err := encodeResponse(res, media == mediaGraphQLResponse)
	if err != nil {
		writeProblem(w, media, http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", "the response could not be encoded")
		return
	}
	w.Header().Set("Content-Type", contentType(media))
	w.Header().Set("X-Content-Type-Options", "nosniff") // the data's < and > are not escaped
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// encodeResponse writes what json.Marshal writes of a graphql.Response (or of a bareResponse,
// which leaves out a missing data entry), without running the data through the JSON encoder:
// the executor wrote it, it is valid, and checking and compacting a megabyte answer again cost
// a fifth of the server's CPU on the largest documents.
func encodeResponse(res *graphql.Response, bare bool) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(len(res.Data) + 64)
	b.WriteByte('{')
	sep := func() {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
	}
	field := func(name string, v any) error {
		sep()
		b.WriteString(`"` + name + `":`)
		js, err := json.Marshal(v)
		b.Write(js)
		return err
	}
	if len(res.Errors) > 0 {
		if err := field("errors", res.Errors); err != nil {
			return nil, err
		}
	}
	switch {
	case len(res.Data) > 0:
		sep()
		b.WriteString(`"data":`)
		b.Write(res.Data)
	case !bare:
		sep()
		b.WriteString(`"data":null`)
	}
	if res.Label != "" {
		if err := field("label", res.Label); err != nil {
			return nil, err
		}
	}
	if len(res.Path) > 0 {
		if err := field("path", res.Path); err != nil {
			return nil, err
		}
	}
	if res.HasNext != nil {
		if err := field("hasNext", res.HasNext); err != nil {
			return nil, err
		}
	}
	if len(res.Extensions) > 0 {
		if err := field("extensions", res.Extensions); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
