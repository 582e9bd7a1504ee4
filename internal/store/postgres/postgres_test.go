package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/internal/store"
	"github.com/modelwatch/modelwatch/internal/store/storetest"
	"github.com/modelwatch/modelwatch/internal/testenv"
)

func TestConformance(t *testing.T) {
	pg := testenv.StartPostgres(t, testenv.PostgresOptions{})
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T, now func() time.Time) store.Store {
			return open(t, pg.NewDatabase(t), now)
		},
		Reopen: func(t *testing.T, s store.Store, now func() time.Time) store.Store {
			db := s.(*DB)
			if err := s.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			return open(t, db.url, now)
		},
	})
}

func open(t *testing.T, url string, now func() time.Time) *DB {
	t.Helper()
	db, err := Open(context.Background(), url, Options{Now: now, PruneBatch: 7})
	if err != nil {
		t.Fatalf("Open(%q): %v", url, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}
