// Package store opens the database (SQLite or PostgreSQL), applies the embedded
// migrations, and defines the error type every domain package returns.
package store

import (
	"errors"
	"fmt"
)

// Kind classifies an error so the web layer can choose a status code.
type Kind int

const (
	Internal     Kind = iota // a bug or an outage: logged, shown as a generic message
	NotFound                 // the record does not exist (or the caller may not know it does)
	Invalid                  // the input is wrong; Field names the offending field when there is one
	Forbidden                // the caller may not do this
	Conflict                 // the input clashes with existing data (duplicate number, cycle, ...)
	Unauthorized             // no valid credentials
	TooMany                  // throttled
	// Unavailable: the database cannot answer or cannot take writes for now
	// (disk full, read-only, its file gone, the server unreachable, the write
	// lock not free in time). Nothing was saved; the same request may work
	// later. See Unavailability.
	Unavailable
)

// Error is the one error type of the domain packages. Message is safe to show
// to the user; Err (if any) is the underlying cause and is only logged.
type Error struct {
	Kind    Kind
	Field   string
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %v", e.Message, e.Err)
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of the given kind with a formatted, user-safe message.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an Invalid error that names the offending field.
func FieldError(field, format string, args ...any) *Error {
	return &Error{Kind: Invalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// KindOf reports the kind of err. Errors that are not *Error are Internal,
// except the database's own failures that mean it is unavailable for now
// (see Unavailability), which are Unavailable.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) && e.Kind != Internal {
		return e.Kind
	}
	if err != nil && Unavailability(err) != "" {
		return Unavailable
	}
	return Internal
}

// IsNotFound reports whether err is a NotFound error.
func IsNotFound(err error) bool { return err != nil && KindOf(err) == NotFound }

// MessageOf returns the user-safe message of err, or a generic one for internal errors.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Kind != Internal && e.Kind != Unavailable {
		return e.Message
	}
	if KindOf(err) == Unavailable {
		return "We cannot save or load this right now: " + Unavailability(err) +
			". What you just sent was not saved. Please try again in a minute."
	}
	return "Something went wrong on our side. It has been logged; please try again."
}

// FieldOf returns the field named by err, or "".
func FieldOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
