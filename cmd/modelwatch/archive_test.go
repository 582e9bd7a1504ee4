package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store"
	"github.com/modelwatch/modelwatch/internal/store/postgres"
	"github.com/modelwatch/modelwatch/internal/store/sqlite"
	"github.com/modelwatch/modelwatch/internal/testenv"
)

// archiveSetup is a database with old predictions and an archive.
type archiveSetup struct {
	args []string // --db, --data-dir, --archive-url
	env  []string
	open func(t *testing.T) store.Store
}

var archiveKey = modelwatch.ModelKey{Name: "fraud", Version: "v2"}

// oldPredictions stores 10 days of predictions up to today, some labelled,
// and returns them as stored, by id.
func oldPredictions(t *testing.T, st store.Store) map[string]modelwatch.Prediction {
	t.Helper()
	start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -10)
	var ps []modelwatch.Prediction
	var ls []modelwatch.GroundTruth
	for i := range 400 {
		p := modelwatch.Prediction{
			ID: fmt.Sprintf("a-%03d", i), ModelName: archiveKey.Name, ModelVersion: archiveKey.Version,
			Timestamp: start.Add(time.Duration(i) * 36 * time.Minute), Prediction: modelwatch.Label([]string{"0", "1"}[i%2]),
			Confidence: new(float64(i%10) / 10), Features: modelwatch.Features(fmt.Sprintf(`{"amount":%d,"country":"NL"}`, i)),
		}
		ps = append(ps, p)
		if i%3 == 0 {
			ls = append(ls, modelwatch.GroundTruth{ID: p.ID, GroundTruth: "1"})
		}
	}
	if _, err := st.IngestPredictions(t.Context(), ps); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddGroundTruth(t.Context(), ls); err != nil {
		t.Fatal(err)
	}
	out := map[string]modelwatch.Prediction{}
	for d := range 11 {
		if _, err := st.ExportDay(t.Context(), archiveKey, start.AddDate(0, 0, d), func(p *modelwatch.Prediction) error {
			out[p.ID] = *p
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if len(out) != len(ps) {
		t.Fatalf("stored %d of %d predictions", len(out), len(ps))
	}
	return out
}

// runArchive runs modelwatch archive run; with a failpoint it must be
// killed there.
func runArchive(t *testing.T, s archiveSetup, failpoint string) string {
	t.Helper()
	cmd := exec.Command(binary(t), append([]string{"archive", "run", "--retention", "2d"}, s.args...)...)
	cmd.Env = append(os.Environ(), s.env...)
	if failpoint != "" {
		cmd.Env = append(cmd.Env, "MODELWATCH_ARCHIVE_FAILPOINT="+failpoint)
	}
	out, err := cmd.CombinedOutput()
	if failpoint == "" {
		if err != nil {
			t.Fatalf("modelwatch archive run: %v\n%s", err, out)
		}
		return string(out)
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("modelwatch archive run with failpoint %s: %v, want it killed\n%s", failpoint, err, out)
	}
	return string(out)
}

// where returns, for each prediction id, how many times it is in the
// database and in the archive.
func where(t *testing.T, s archiveSetup, want map[string]modelwatch.Prediction) (inDB, inArchive map[string]int) {
	t.Helper()
	st := s.open(t)
	defer st.Close()
	inDB, inArchive = map[string]int{}, map[string]int{}
	days := map[time.Time]bool{}
	for _, p := range want {
		days[p.Timestamp.Truncate(24*time.Hour)] = true
	}
	for d := range days {
		if _, err := st.ExportDay(t.Context(), archiveKey, d, func(p *modelwatch.Prediction) error {
			inDB[p.ID]++
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		var buf, stderr bytes.Buffer
		cmd := exec.Command(binary(t), append([]string{
			"archive", "restore", "--model", archiveKey.Name, "--version", archiveKey.Version,
			"--date", d.Format(time.DateOnly),
		}, s.args[2:]...)...)
		cmd.Env, cmd.Stdout, cmd.Stderr = append(os.Environ(), s.env...), &buf, &stderr
		if err := cmd.Run(); err != nil && !strings.Contains(stderr.String(), "the archive has nothing of") {
			t.Fatalf("archive restore %s: %v\n%s", d, err, stderr.String())
		}
		sc := bufio.NewScanner(&buf)
		for sc.Scan() {
			var p modelwatch.Prediction
			if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
				t.Fatalf("restored line %q: %v", sc.Text(), err)
			}
			inArchive[p.ID]++
		}
	}
	return inDB, inArchive
}

// testArchiveCrashes kills modelwatch archive run at every step of
// archiving a day (the second day, so that the first is done), checking
// after each crash that every prediction is in the database or the archive,
// none twice in the archive; a last run archives everything exactly once,
// and archive ls and restore show it.
func testArchiveCrashes(t *testing.T, s archiveSetup) {
	st := s.open(t)
	want := oldPredictions(t, st)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"exporting", "exported", "copied", "verified", "deleted"} {
		runArchive(t, s, step+":2")
		inDB, inArchive := where(t, s, want)
		for id := range want {
			if inDB[id]+inArchive[id] == 0 || inArchive[id] > 1 || inDB[id] > 1 {
				t.Fatalf("after a crash at %s: prediction %s is %d times in the database and %d times in the archive", step, id, inDB[id], inArchive[id])
			}
		}
	}
	out := runArchive(t, s, "")
	if !strings.Contains(out, "archived") {
		t.Errorf("archive run printed %q", out)
	}
	inDB, inArchive := where(t, s, want)
	cutoff := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -2)
	for id, p := range want {
		if p.Timestamp.Before(cutoff) && (inArchive[id] != 1 || inDB[id] != 0) {
			t.Errorf("prediction %s of %s: %d times in the database, %d in the archive; want only archived, once", id, p.Timestamp, inDB[id], inArchive[id])
		}
		if !p.Timestamp.Before(cutoff) && (inArchive[id] != 0 || inDB[id] != 1) {
			t.Errorf("prediction %s of %s, within the retention: %d times in the database, %d in the archive", id, p.Timestamp, inDB[id], inArchive[id])
		}
	}
	cmd := exec.Command(binary(t), append([]string{"archive", "ls", "--model", archiveKey.Name}, s.args[2:]...)...)
	cmd.Env = append(os.Environ(), s.env...)
	ls, err := cmd.CombinedOutput()
	if err != nil || !strings.HasPrefix(string(ls), "MODEL") || strings.Count(string(ls), "fraud") < 3 {
		t.Errorf("archive ls: %v\n%s", err, ls)
	}
	// Restore to a file: the predictions as they were stored.
	day := want["a-000"].Timestamp.Truncate(24 * time.Hour)
	file := filepath.Join(t.TempDir(), "day.ndjson")
	cmd = exec.Command(binary(t), append([]string{
		"archive", "restore", "--model", archiveKey.Name, "--version", archiveKey.Version,
		"--date", day.Format(time.DateOnly), "-o", file,
	}, s.args[2:]...)...)
	cmd.Env = append(os.Environ(), s.env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("archive restore: %v\n%s", err, out)
	}
	f, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for line := range strings.Lines(string(f)) {
		var p modelwatch.Prediction
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			t.Fatal(err)
		}
		w := want[p.ID]
		wf, _ := w.Features.Map()
		pf, _ := p.Features.Map()
		w.Features, p.Features = nil, nil
		if !reflect.DeepEqual(wf, pf) || !reflect.DeepEqual(w, p) {
			t.Errorf("restored %+v %v\nstored   %+v %v", p, pf, w, wf)
		}
		n++
	}
	if n == 0 {
		t.Error("restore wrote nothing")
	}
}

func TestArchiveCommandSQLite(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "modelwatch.db")
	testArchiveCrashes(t, archiveSetup{
		args: []string{"--db", db, "--data-dir", dir},
		open: func(t *testing.T) store.Store {
			st, err := sqlite.Open(t.Context(), db, sqlite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
	})
	if _, err := os.Stat(filepath.Join(dir, "archive", "model_name=fraud")); err != nil {
		t.Errorf("the default archive is not under the data directory: %v", err)
	}
}

func TestArchiveCommandPostgresS3(t *testing.T) {
	s3 := testenv.StartS3(t)
	s3.CreateBucket(t, "modelwatch-archive")
	pg := testenv.StartPostgres(t, testenv.PostgresOptions{})
	url := pg.NewDatabase(t)
	testArchiveCrashes(t, archiveSetup{
		args: []string{"--db", url, "--archive-url", s3.URL("modelwatch-archive", "archive")},
		env:  s3.Env(),
		open: func(t *testing.T) store.Store {
			st, err := postgres.Open(t.Context(), url, postgres.Options{})
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
	})
}
