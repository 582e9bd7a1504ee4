package sqlite

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

// TestWAL checks that Open puts the database in write-ahead-log mode: the
// store's own connections say so, and so does a new connection to the file
// (WAL is a property of the file, kept across connections).
func TestWAL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "modelwatch.db")
	db := open(t, path, time.Now)
	for name, conn := range map[string]*sql.DB{"writer": db.writer, "reader": db.reader} {
		var mode string
		if err := conn.QueryRowContext(t.Context(), `PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Fatalf("%s: PRAGMA journal_mode: %v", name, err)
		}
		if mode != "wal" {
			t.Errorf("%s: journal_mode = %q, want wal", name, mode)
		}
	}
	other, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var mode string
	if err := other.QueryRowContext(t.Context(), `PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatalf("another connection: PRAGMA journal_mode: %v", err)
	}
	if mode != "wal" {
		t.Errorf("another connection to the file: journal_mode = %q, want wal", mode)
	}
}
