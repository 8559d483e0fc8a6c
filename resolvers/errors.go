package resolvers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	pg "github.com/unicri/partnergraph"
)

// Stable extensions.code values, one per domain error code.
var codes = map[string]string{
	pg.EINVALID:        "BAD_USER_INPUT",
	pg.ENOTFOUND:       "NOT_FOUND",
	pg.ECONFLICT:       "CONFLICT",
	pg.EUNAUTHORIZED:   "UNAUTHENTICATED",
	pg.EFORBIDDEN:      "FORBIDDEN",
	pg.EUNAVAILABLE:    "SERVICE_UNAVAILABLE",
	pg.EBUSY:           "SERVICE_BUSY",
	pg.ENOTIMPLEMENTED: "NOT_IMPLEMENTED",
	pg.EINTERNAL:       "INTERNAL_SERVER_ERROR",
}

// RequestIDFunc returns the request id of a context, for error reports; set by the server.
type RequestIDFunc func(context.Context) string

// ErrorPresenter turns errors into GraphQL errors: domain errors keep their message and get
// their code (and the input field, if any); errors gqlgen raised while parsing and validating
// keep theirs; anything else is internal, logged with the request id and shown as
// "internal error" so no Cypher, driver message or stack reaches the client.
func ErrorPresenter(log *slog.Logger, requestID RequestIDFunc) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		var de *pg.Error
		if errors.As(err, &de) && de.Code != pg.EINTERNAL {
			gqlErr.Message = de.Message
			gqlErr.Extensions = map[string]any{"code": codes[de.Code]}
			if de.Field != "" {
				gqlErr.Extensions["field"] = de.Field
			}
			return gqlErr
		}
		var ge *gqlerror.Error
		if errors.As(err, &ge) && ge.Extensions["code"] != nil && ge.Err == nil {
			return gqlErr // parse and validation errors carry their own code
		}
		id := requestID(ctx)
		log.ErrorContext(ctx, "internal error", "request_id", id, "path", gqlErr.Path.String(), "err", err)
		return &gqlerror.Error{Message: "internal error", Path: gqlErr.Path,
			Extensions: map[string]any{"code": codes[pg.EINTERNAL], "requestId": id}}
	}
}

// Recover turns a panic in a resolver into an internal error, logging the stack.
func Recover(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return errors.New("panic in resolver") // presented as internal
	}
}

// HasRole implements the @hasRole directive: the field runs only for callers with at least the
// given access. Anonymous callers get UNAUTHENTICATED, others without enough access FORBIDDEN.
func HasRole(ctx context.Context, obj any, next graphql.Resolver, role pg.Access) (any, error) {
	c := pg.CallerFromContext(ctx)
	if c.Access.Includes(role) {
		return next(ctx)
	}
	if c.Access == pg.AccessAnonymous {
		return nil, pg.Errorf(pg.EUNAUTHORIZED, "this operation needs credentials: send Authorization: Bearer <key>")
	}
	return nil, pg.Errorf(pg.EFORBIDDEN, "this operation needs %s access", role)
}
