package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Set with -ldflags "-X main.version=v1.2.3 -X main.commit=abc123" by release
// builds (the module is built with -buildvcs=false here, so nothing is
// stamped automatically).
var (
	version = "dev"
	commit  = ""
)

type versionCmd struct{}

// buildVersion returns the version stamped at build time, or the module
// version when built with go install, or "dev".
func buildVersion() string {
	if version == "dev" {
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			return bi.Main.Version
		}
	}
	return version
}

func (versionCmd) Run(e *env) error {
	fmt.Fprintf(e.stdout, "modelwatch %s", buildVersion())
	if commit != "" {
		fmt.Fprintf(e.stdout, " (commit %s)", commit)
	}
	fmt.Fprintf(e.stdout, " %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
