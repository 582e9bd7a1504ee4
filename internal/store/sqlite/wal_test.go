package sqlite

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
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

// TestBackgroundCheckpoint checks that the writer leaves checkpoints to the
// checkpointer (its wal_autocheckpoint is 0) and that the checkpointer
// copies committed ingests into the database file in the background, with
// nothing else touching the database.
func TestBackgroundCheckpoint(t *testing.T) {
	path := filepath.Join(t.TempDir(), "modelwatch.db")
	db := open(t, path, time.Now)
	var auto int
	if err := db.writer.QueryRowContext(t.Context(), `PRAGMA wal_autocheckpoint`).Scan(&auto); err != nil {
		t.Fatal(err)
	}
	if auto != 0 {
		t.Errorf("writer's wal_autocheckpoint = %d, want 0 (the checkpointer's job)", auto)
	}
	// Let the checkpointer copy the migrations, then measure from there.
	size := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	time.Sleep(2 * checkpointInterval)
	before := size()
	features := modelwatch.Features(`{"a":1.5,"b":"` + strings.Repeat("x", 200) + `","c":true}`)
	now := time.Now().UTC()
	for batch := range 4 {
		ps := make([]modelwatch.Prediction, 500)
		for i := range ps {
			ps[i] = modelwatch.Prediction{
				ID: fmt.Sprintf("p-%d-%d", batch, i), ModelName: "m", ModelVersion: "v1",
				Timestamp: now, Features: features, Prediction: "1",
			}
		}
		if _, err := db.IngestPredictions(t.Context(), ps); err != nil {
			t.Fatal(err)
		}
	}
	const want = 256 << 10 // 2000 rows of over 200 bytes each
	deadline := time.Now().Add(10 * time.Second)
	for size()-before < want {
		if time.Now().After(deadline) {
			t.Fatalf("database file grew by %d bytes in 10 s after 2000 ingested rows, want at least %d: no background checkpoint", size()-before, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
