package testenv

import (
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
)

// CI reports whether the tests run in CI (CI=true), where every program a
// test needs must be there.
func CI() bool {
	v, _ := strconv.ParseBool(os.Getenv("CI"))
	return v
}

// Program returns the path of the first of names found on PATH or as an
// absolute path. When none is found it fails the test under CI and skips it
// otherwise, naming debianPackage.
func Program(t testing.TB, debianPackage string, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	msg := names[0] + " is not installed (Debian package " + debianPackage + ": apt-get install " + debianPackage + ")"
	if CI() {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
