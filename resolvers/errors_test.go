package resolvers_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/gqlerror"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/resolvers"
)

func TestErrorPresenter(t *testing.T) {
	var logs bytes.Buffer
	present := resolvers.ErrorPresenter(slog.New(slog.NewTextHandler(&logs, nil)), func(context.Context) string { return "req-1" })
	tests := []struct {
		name      string
		err       error
		code, msg string
		field     any
	}{
		{"invalid", pg.FieldErrorf(pg.EINVALID, "slug", "bad slug"), "BAD_USER_INPUT", "bad slug", "slug"},
		{"wrapped not found", fmt.Errorf("find: %w", pg.Errorf(pg.ENOTFOUND, "no such thing")), "NOT_FOUND", "no such thing", nil},
		{"conflict", pg.Errorf(pg.ECONFLICT, "taken"), "CONFLICT", "taken", nil},
		{"unauthenticated", pg.Errorf(pg.EUNAUTHORIZED, "who?"), "UNAUTHENTICATED", "who?", nil},
		{"forbidden", pg.Errorf(pg.EFORBIDDEN, "no"), "FORBIDDEN", "no", nil},
		{"unavailable", pg.Errorf(pg.EUNAVAILABLE, "down"), "SERVICE_UNAVAILABLE", "down", nil},
		{"internal", errors.New("Neo.ClientError.Statement.SyntaxError: MATCH (n:Secret) ..."), "INTERNAL_SERVER_ERROR", "internal error", nil},
		{"validation", &gqlerror.Error{Message: "Cannot query field", Extensions: map[string]any{"code": "GRAPHQL_VALIDATION_FAILED"}}, "GRAPHQL_VALIDATION_FAILED", "Cannot query field", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := present(context.Background(), tt.err)
			if got.Message != tt.msg || got.Extensions["code"] != tt.code || got.Extensions["field"] != tt.field {
				t.Errorf("got %q %v, want %q code %s field %v", got.Message, got.Extensions, tt.msg, tt.code, tt.field)
			}
		})
	}
	if !strings.Contains(logs.String(), "MATCH (n:Secret)") || !strings.Contains(logs.String(), "req-1") {
		t.Errorf("internal error detail and request id must be logged: %s", logs.String())
	}
}

func TestHasRole(t *testing.T) {
	next := func(context.Context) (any, error) { return "ran", nil }
	for _, tt := range []struct {
		access pg.Access
		code   string
	}{{pg.AccessAnonymous, pg.EUNAUTHORIZED}, {pg.AccessAnalyst, pg.EFORBIDDEN}, {pg.AccessEditor, ""}, {pg.AccessAdmin, ""}} {
		ctx := pg.NewContextWithCaller(context.Background(), pg.Caller{Access: tt.access})
		res, err := resolvers.HasRole(ctx, nil, next, pg.AccessEditor)
		if pg.ErrorCode(err) != tt.code || (tt.code == "" && res != "ran") {
			t.Errorf("%s calling an EDITOR field: got %v, %v; want code %q", tt.access, res, err, tt.code)
		}
	}
}
