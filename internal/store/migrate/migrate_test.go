package migrate

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	_ "modernc.org/sqlite" // the driver the migrations run on in these tests
)

func open(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func TestUp(t *testing.T) {
	fsys := fstest.MapFS{
		"m/0002_more.sql": {Data: []byte(`ALTER TABLE a ADD COLUMN y TEXT;`)},
		"m/0001_init.sql": {Data: []byte(`CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);`)},
		"m/README":        {Data: []byte(`not a migration`)},
	}
	ms, err := Load(fsys, "m")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].Version != 1 || ms[1].Version != 2 {
		t.Fatalf("Load = %+v, want versions 1 and 2 in order", ms)
	}
	db := open(t)
	ctx := context.Background()
	if n, err := Up(ctx, db, ms, "?"); err != nil || n != 2 {
		t.Fatalf("Up = %d, %v; want 2 applied", n, err)
	}
	if n, err := Up(ctx, db, ms, "?"); err != nil || n != 0 {
		t.Fatalf("second Up = %d, %v; want nothing applied", n, err)
	}
	var rows int
	if err := db.QueryRow(`SELECT count(*) FROM a WHERE y IS NULL`).Scan(&rows); err != nil || rows != 1 {
		t.Errorf("table after migrations: %d rows, %v", rows, err)
	}
	// A database from a newer release is refused.
	if _, err := Up(ctx, db, ms[:1], "?"); err == nil || !strings.Contains(err.Error(), "newer release") {
		t.Errorf("Up with an unknown applied version: err = %v, want a newer-release error", err)
	}
}

func TestUpFailureRollsBack(t *testing.T) {
	ms := []Migration{
		{Version: 1, Name: "0001_ok.sql", SQL: `CREATE TABLE a (x INTEGER);`},
		{Version: 2, Name: "0002_bad.sql", SQL: `CREATE TABLE b (x INTEGER); THIS IS NOT SQL;`},
	}
	db := open(t)
	n, err := Up(context.Background(), db, ms, "?")
	if err == nil || n != 1 || !strings.Contains(err.Error(), "0002_bad.sql") {
		t.Fatalf("Up = %d, %v; want 1 applied and an error naming 0002_bad.sql", n, err)
	}
	var name string
	if err := db.QueryRow(`SELECT name FROM sqlite_master WHERE name = 'b'`).Scan(&name); err != sql.ErrNoRows {
		t.Errorf("the failed migration left table b behind (%q, %v)", name, err)
	}
}

func TestLoadErrors(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"no number": {"m/init.sql": {Data: []byte(``)}},
		"duplicate": {"m/0001_a.sql": {Data: []byte(``)}, "m/0001_b.sql": {Data: []byte(``)}},
	} {
		if _, err := Load(fsys, "m"); err == nil {
			t.Errorf("Load(%s) = nil error", name)
		}
	}
}
