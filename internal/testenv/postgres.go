package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// Postgres is a throw-away PostgreSQL cluster started by a test: its data
// directory and unix socket live in a temporary directory that is removed,
// with the server stopped, when the test ends.
type Postgres struct {
	// Port is the TCP port on 127.0.0.1.
	Port int
	// SocketDir holds the server's unix socket.
	SocketDir string
	bin       string // directory of the server's programs
	dir       string
	asUser    string // run the server's programs as this user ("" = as we are)
	dbs       atomic.Int64
}

// PostgresOptions configure StartPostgres.
type PostgresOptions struct {
	// Durable keeps fsync and synchronous_commit on, as in production:
	// benchmarks want it; correctness tests run faster without.
	Durable bool
	// Settings are extra postgresql.conf lines ("max_connections = 200").
	Settings []string
}

// postgresBinDir returns the directory of initdb and pg_ctl: PATH first, then
// the newest /usr/lib/postgresql/*/bin (Debian keeps them off PATH).
func postgresBinDir(t testing.TB) string {
	t.Helper()
	// The programs on PATH may be links (Debian's wrappers or a hand-made
	// symlink): use the directory they point into, which has them all.
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if target, err := filepath.EvalSymlinks(p); err == nil {
			if _, err := os.Stat(filepath.Join(filepath.Dir(target), "initdb")); err == nil {
				return filepath.Dir(target)
			}
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgMajor(dirs[i]) > pgMajor(dirs[j]) })
	var names []string
	for _, d := range dirs {
		names = append(names, filepath.Join(d, "pg_ctl"))
	}
	names = append(names, "pg_ctl") // for the message when nothing is found
	return filepath.Dir(Program(t, "postgresql", names...))
}

func pgMajor(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// StartPostgres initialises a PostgreSQL cluster in a new temporary
// directory and starts it on a free loopback port. PostgreSQL refuses to run
// as root, so under root (as in CI) the cluster belongs to the postgres user
// and its programs run through runuser. A missing PostgreSQL fails the test
// under CI=true and skips it otherwise (Debian package postgresql).
func StartPostgres(t testing.TB, opts PostgresOptions) *Postgres {
	t.Helper()
	pg := &Postgres{bin: postgresBinDir(t)}
	// Not t.TempDir: its parent is private to us, and under root the server
	// runs as another user that must reach the directory.
	dir, err := os.MkdirTemp("", "modelwatch-pg-")
	if err != nil {
		t.Fatal(err)
	}
	pg.dir, pg.SocketDir = dir, dir
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		pg.asUser = "postgres"
		u, err := user.Lookup(pg.asUser)
		if err != nil {
			t.Fatalf("running as root, PostgreSQL needs the user %q (created by the Debian package postgresql): %v", pg.asUser, err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	data := filepath.Join(dir, "data")
	if out, err := pg.run("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	pg.Port = FreePort(t)
	conf := []string{
		"listen_addresses = '127.0.0.1'",
		"port = " + strconv.Itoa(pg.Port),
		"unix_socket_directories = '" + dir + "'",
		"max_connections = 200",
		"log_min_messages = warning",
	}
	if !opts.Durable {
		conf = append(conf, "fsync = off", "synchronous_commit = off", "full_page_writes = off")
	}
	conf = append(conf, opts.Settings...)
	f, err := os.OpenFile(filepath.Join(data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteString("\n" + strings.Join(conf, "\n") + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	logFile := filepath.Join(dir, "server.log")
	if out, err := pg.run("pg_ctl", "-D", data, "-l", logFile, "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(logFile)
		t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	t.Cleanup(func() {
		if out, err := pg.run("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"); err != nil {
			t.Logf("pg_ctl stop: %v\n%s", err, out)
		}
	})
	return pg
}

// run runs one of the server's programs, as the cluster's owner.
func (pg *Postgres) run(program string, args ...string) ([]byte, error) {
	path := filepath.Join(pg.bin, program)
	var cmd *exec.Cmd
	if pg.asUser != "" {
		cmd = exec.Command("runuser", append([]string{"-u", pg.asUser, "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = pg.dir
	return cmd.CombinedOutput()
}

// URL returns the connection URL of database db over TCP.
func (pg *Postgres) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", pg.Port, db)
}

// NewDatabase creates an empty database and returns its connection URL.
func (pg *Postgres) NewDatabase(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("test_%d", pg.dbs.Add(1))
	if out, err := pg.run("createdb", "-h", pg.SocketDir, "-p", strconv.Itoa(pg.Port), "-U", "postgres", name); err != nil {
		t.Fatalf("createdb %s: %v\n%s", name, err, out)
	}
	return pg.URL(name)
}

// Log returns the server's log so far, for failure messages.
func (pg *Postgres) Log() string {
	b, _ := os.ReadFile(filepath.Join(pg.dir, "server.log"))
	return string(b)
}
