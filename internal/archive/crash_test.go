package archive

import (
	"testing"
	"time"
)

// crash is what a failpoint panics with.
type crash struct{ step string }

// TestCrashAtEveryStep stops an archive run at each step of archiving a
// day (by panicking from the failpoint, at the third day so that earlier
// days are done), runs again, and checks that no prediction was lost or
// archived twice. The cmd/modelwatch tests kill a real process instead.
func TestCrashAtEveryStep(t *testing.T) {
	for _, step := range []string{"exporting", "exported", "copied", "verified", "deleted"} {
		t.Run(step, func(t *testing.T) {
			e := sqliteEnv(t)
			ps := testData()
			want := load(t, e, ps)
			horizon := now.Add(-DefaultRetention).Truncate(24 * time.Hour)
			seen := 0
			a := New(e.Store, e.Bucket, Options{Now: e.Clock.Now, Failpoint: func(s string) {
				if s == step {
					if seen++; seen == 3 {
						panic(crash{s})
					}
				}
			}})
			func() {
				defer func() {
					if r := recover(); r != (crash{step}) {
						t.Fatalf("the run did not stop at %s: %v", step, r)
					}
				}()
				_, _ = a.Run(t.Context())
			}()
			// Every prediction is in the database or the archive; none is
			// archived twice (restored fails on duplicates).
			inDB, inArchive := snapshot(t, e.Store, ps), restored(t, e.Bucket)
			for id := range want {
				_, db := inDB[id]
				_, ar := inArchive[id]
				if !db && !ar {
					t.Fatalf("after a crash at %s, prediction %s is neither in the database nor in the archive", step, id)
				}
			}
			res, err := New(e.Store, e.Bucket, Options{Now: e.Clock.Now}).Run(t.Context())
			if err != nil {
				t.Fatalf("run after the crash: %v", err)
			}
			wantDays := 12
			if step == "deleted" {
				wantDays = 11 // the third day's deletion had committed
			}
			if res.Days != wantDays {
				t.Errorf("run after a crash at %s archived %d days, want %d", step, res.Days, wantDays)
			}
			checkArchived(t, want, restored(t, e.Bucket), horizon)
			for id, p := range snapshot(t, e.Store, ps) {
				if p.Timestamp.Before(horizon) {
					t.Errorf("prediction %s is still in the database after the second run", id)
				}
			}
		})
	}
}
