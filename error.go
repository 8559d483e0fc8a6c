package partnergraph

import (
	"errors"
	"fmt"
)

// Error codes. Every error that crosses a package boundary either carries one of these or is
// treated as internal; the GraphQL layer maps each code to a stable extensions.code once.
const (
	ECONFLICT       = "conflict"        // a unique value is taken, or a relation already exists
	EINTERNAL       = "internal"        // a bug or an unexpected failure; never shown in detail
	EINVALID        = "invalid"         // bad input
	ENOTFOUND       = "not_found"       // the entity does not exist (or is hidden from the caller)
	EUNAUTHORIZED   = "unauthorized"    // no valid credentials
	EFORBIDDEN      = "forbidden"       // valid credentials, not enough rights
	EUNAVAILABLE    = "unavailable"     // the database cannot be reached right now
	EBUSY           = "busy"            // the database is overloaded or the work ran out of time: try again
	ENOTIMPLEMENTED = "not_implemented" // a valid request this server does not serve
)

// Error is the domain's one error type. Message is safe to show to clients; Field names the
// input field at fault, when there is one.
type Error struct {
	Code    string
	Message string
	Field   string
}

// Error implements the error interface. It does not include the code: callers show Message.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("partnergraph error: code=%s field=%s message=%s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("partnergraph error: code=%s message=%s", e.Code, e.Message)
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any other
// non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the client-safe message of the first *Error in err's chain, or
// "internal error" for any other error.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrorField returns the input field named by the first *Error in err's chain, if any.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an *Error for bad input in one named field.
func FieldErrorf(code, field string, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}
