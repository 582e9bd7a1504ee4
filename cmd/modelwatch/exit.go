package main

import (
	"errors"
	"fmt"
)

// exitCoder is an error that asks main for a particular exit status.
type exitCoder interface {
	error
	ExitCode() int
}

func asExitCoder(err error, target *exitCoder) bool { return errors.As(err, target) }

// exitError ends the process with code without printing anything more than
// what was already written.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// ExitCode implements exitCoder.
func (e exitError) ExitCode() int { return e.code }

// usageError is a command line that does not parse: exit status 2, as Go's
// flag package and most Unix tools use, not kong's 80.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// ExitCode implements exitCoder.
func (usageError) ExitCode() int { return 2 }
