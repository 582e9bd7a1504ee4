package main

import (
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/internal/store/sqlite"
)

// TestRollupRetentionFlags checks the rollup retention flags: their
// defaults and environment variables, and that hours must be kept at least
// as long as minutes, also with the archive off.
func TestRollupRetentionFlags(t *testing.T) {
	clearEnv(t)
	c, err := parseCLI(t, "serve")
	if err != nil {
		t.Fatal(err)
	}
	if time.Duration(c.Serve.RollupMinuteRetention) != 14*24*time.Hour || time.Duration(c.Serve.RollupHourRetention) != 400*24*time.Hour {
		t.Errorf("defaults = %v, %v; want 14d, 400d", time.Duration(c.Serve.RollupMinuteRetention), time.Duration(c.Serve.RollupHourRetention))
	}
	t.Setenv("MODELWATCH_ROLLUP_MINUTE_RETENTION", "2d")
	if c, err = parseCLI(t, "serve", "--rollup-hour-retention", "36h"); err != nil {
		t.Fatal(err)
	}
	if time.Duration(c.Serve.RollupMinuteRetention) != 48*time.Hour || time.Duration(c.Serve.RollupHourRetention) != 36*time.Hour {
		t.Fatalf("parsed %v, %v; want 48h, 36h", time.Duration(c.Serve.RollupMinuteRetention), time.Duration(c.Serve.RollupHourRetention))
	}
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "m.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	for _, schedule := range []string{"0 4 * * *", "off"} {
		c.Serve.ArchiveSchedule, c.Serve.DataDir = schedule, t.TempDir()
		if _, _, err := c.Serve.startArchive(t.Context(), db, slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "--rollup-hour-retention") {
			t.Errorf("--archive-schedule %q with hours kept shorter than minutes: %v, want an error naming --rollup-hour-retention", schedule, err)
		}
	}
	c.Serve.RollupHourRetention = retention(48 * time.Hour)
	run, closeBucket, err := c.Serve.startArchive(t.Context(), db, slog.New(slog.DiscardHandler))
	if err != nil || run == nil {
		t.Fatalf("startArchive with equal retentions: %v", err)
	}
	closeBucket()
}
