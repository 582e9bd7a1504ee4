package sqlite

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/internal/store"
	"github.com/modelwatch/modelwatch/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T, now func() time.Time) store.Store {
			return open(t, filepath.Join(t.TempDir(), "modelwatch.db"), now)
		},
		Reopen: func(t *testing.T, s store.Store, now func() time.Time) store.Store {
			path := s.(*DB).Path()
			if err := s.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			return open(t, path, now)
		},
	})
}

func open(t *testing.T, path string, now func() time.Time) *DB {
	t.Helper()
	db, err := Open(t.Context(), path, Options{Now: now, PruneBatch: 7})
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}
