package archive

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"gocloud.dev/blob"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store"
)

// Store is what the archive job needs from the database.
type Store interface {
	ArchiveDays(ctx context.Context, before time.Time) ([]store.ArchiveDay, error)
	ExportDay(ctx context.Context, key modelwatch.ModelKey, day time.Time, fn func(p *modelwatch.Prediction) error) (store.DaySnapshot, error)
	DeleteArchived(ctx context.Context, part store.ArchivedPart, snap store.DaySnapshot) error
	DeletePendingLabels(ctx context.Context, before time.Time) (int64, error)
}

// DefaultRetention is how long predictions stay in the database: the
// specification's 90 days of history.
const DefaultRetention = 90 * 24 * time.Hour

// Options configure an Archiver.
type Options struct {
	// Retention is how long predictions stay in the database (default
	// DefaultRetention): a day is archived once it ended longer ago.
	Retention time.Duration
	Now       func() time.Time // default time.Now
	Logger    *slog.Logger
	// TempDir holds the downloaded copy of a file being verified (default
	// os.TempDir()).
	TempDir string
	// Failpoint, when set, is called between the steps of archiving a day,
	// in this order: "exporting" (the predictions written to the temporary
	// object, not its footer), "exported" (it is complete), "copied" (to its final
	// name), "verified" (read back and checked), "deleted" (from the
	// database). Tests crash the process there.
	Failpoint func(step string)
}

// Archiver moves old predictions to the archive.
type Archiver struct {
	st     Store
	bucket *blob.Bucket
	opts   Options
	log    *slog.Logger
}

// New returns an Archiver writing to bucket.
func New(st Store, bucket *blob.Bucket, opts Options) *Archiver {
	if opts.Retention <= 0 {
		opts.Retention = DefaultRetention
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Failpoint == nil {
		opts.Failpoint = func(string) {}
	}
	return &Archiver{st: st, bucket: bucket, opts: opts, log: opts.Logger}
}

// Result summarises one run.
type Result struct {
	Days           int   // model version days archived
	Rows           int64 // predictions moved to the archive
	Bytes          int64 // size of the files written
	Conflicts      int   // days left for the next run: they changed during the export
	PendingDeleted int64 // pending labels older than the retention deleted
}

// Run archives every day that ended more than Retention ago, then deletes
// pending labels older than that. A day that fails is logged and left for
// the next run; the others still go.
func (a *Archiver) Run(ctx context.Context) (Result, error) {
	var res Result
	horizon := a.opts.Now().Add(-a.opts.Retention)
	a.removeStaleTemps(ctx)
	days, err := a.st.ArchiveDays(ctx, horizon)
	if err != nil {
		return res, err
	}
	var errs []error
	for _, d := range days {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		rows, size, err := a.archiveDay(ctx, d)
		switch {
		case modelwatch.ErrorCode(err) == modelwatch.EConflict:
			res.Conflicts++
			a.log.Warn("archive: day changed during its export; it goes next time", "model", d.Model.String(), "day", d.Day.Format(time.DateOnly), "err", err)
		case err != nil:
			errs = append(errs, fmt.Errorf("archive %s of %s: %w", d.Day.Format(time.DateOnly), d.Model, err))
		default:
			res.Days++
			res.Rows += rows
			res.Bytes += size
			a.log.Info("archived", "model", d.Model.String(), "day", d.Day.Format(time.DateOnly), "rows", rows, "bytes", size)
		}
	}
	if res.PendingDeleted, err = a.st.DeletePendingLabels(ctx, horizon); err != nil {
		errs = append(errs, err)
	}
	return res, errors.Join(errs...)
}

// ObjectKey is the name of an archive file.
func ObjectKey(k modelwatch.ModelKey, day time.Time, part int) string {
	return fmt.Sprintf("model_name=%s/model_version=%s/date=%s/part-%04d.parquet",
		escape(k.Name), escape(k.Version), day.UTC().Format(time.DateOnly), part)
}

// tempPrefix holds objects being written; Hive-style readers skip names
// that start with an underscore, and their suffix is not .parquet.
const tempPrefix = "_tmp/"

// archiveDay exports, verifies and deletes one model version's day, and
// returns the rows moved and the file's size.
func (a *Archiver) archiveDay(ctx context.Context, d store.ArchiveDay) (int64, int64, error) {
	tmp := tempPrefix + randomName() + ".parquet.tmp"
	defer func() { _ = a.bucket.Delete(context.WithoutCancel(ctx), tmp) }()
	snap, sum, err := a.export(ctx, d, tmp, true)
	if errors.Is(err, errSchemaChanged) {
		snap, sum, err = a.export(ctx, d, tmp, false)
	}
	if err != nil {
		return 0, 0, err
	}
	if snap.Rows == 0 {
		return 0, 0, nil // emptied since it was listed
	}
	a.opts.Failpoint("exported")
	final := ObjectKey(d.Model, d.Day, snap.Part)
	if err := a.bucket.Copy(ctx, final, tmp, nil); err != nil {
		return 0, 0, fmt.Errorf("copy %s to %s: %w", tmp, final, err)
	}
	_ = a.bucket.Delete(ctx, tmp)
	a.opts.Failpoint("copied")
	size, err := a.verify(ctx, final, snap.Rows, sum)
	if err != nil {
		return 0, 0, err
	}
	a.opts.Failpoint("verified")
	part := store.ArchivedPart{Model: d.Model, Day: d.Day, Part: snap.Part, Object: final, Rows: snap.Rows, Checksum: sum}
	if err := a.st.DeleteArchived(ctx, part, snap); err != nil {
		if modelwatch.ErrorCode(err) == modelwatch.EConflict {
			// The file is not the day's record: the next export of the
			// day rewrites the same part. Remove it meanwhile.
			_ = a.bucket.Delete(ctx, final)
		}
		return 0, 0, err
	}
	a.opts.Failpoint("deleted")
	return snap.Rows, size, nil
}

// sampleRows is how many predictions decide whether a file's features are
// typed: they are held in memory until the schema is known.
const sampleRows = 2048

// export writes a day's predictions to the object tmp, with typed features
// when typed and the predictions allow it, and returns the snapshot and the
// checksum of what it wrote. It returns errSchemaChanged when typed features
// stop fitting after the sample.
func (a *Archiver) export(ctx context.Context, d store.ArchiveDay, tmp string, typed bool) (store.DaySnapshot, string, error) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel() // an unfinished object is discarded, not written
	out, err := a.bucket.NewWriter(wctx, tmp, &blob.WriterOptions{ContentType: "application/vnd.apache.parquet"})
	if err != nil {
		return store.DaySnapshot{}, "", fmt.Errorf("create %s: %w", tmp, err)
	}
	var fw *fileWriter
	var sample []modelwatch.Prediction
	var sampleFeats [][]feature
	var feats []feature
	start := func() error {
		fs, ok := featureSchema{}, false
		if typed {
			fs, ok = inferSchema(sampleFeats)
		}
		fw = newFileWriter(out, ok, fs)
		for i := range sample {
			if err := fw.write(&sample[i], sampleFeats[i]); err != nil {
				return err
			}
		}
		sample, sampleFeats = nil, nil
		return nil
	}
	if !typed {
		if err := start(); err != nil {
			return store.DaySnapshot{}, "", err
		}
	}
	snap, err := a.st.ExportDay(ctx, d.Model, d.Day, func(p *modelwatch.Prediction) error {
		if fw == nil {
			f, err := parseFeatures(nil, p.Features)
			if err != nil {
				return fmt.Errorf("prediction %q: %w", p.ID, err)
			}
			sample, sampleFeats = append(sample, *p), append(sampleFeats, f)
			if len(sample) < sampleRows {
				return nil
			}
			return start()
		}
		if fw.typed {
			if feats, err = parseFeatures(feats, p.Features); err != nil {
				return fmt.Errorf("prediction %q: %w", p.ID, err)
			}
		}
		return fw.write(p, feats)
	})
	if err == nil && fw == nil {
		err = start()
	}
	if err == nil {
		a.opts.Failpoint("exporting") // rows written, the file unfinished
		err = fw.close()
	}
	if err != nil {
		return snap, "", err
	}
	if err := out.Close(); err != nil {
		return snap, "", fmt.Errorf("write %s: %w", tmp, err)
	}
	if fw.sum.rows != snap.Rows {
		return snap, "", fmt.Errorf("export of %s on %s read %d predictions of %d", d.Model, d.Day.Format(time.DateOnly), fw.sum.rows, snap.Rows)
	}
	return snap, fw.sum.String(), nil
}

// verify downloads the object key and checks that it holds rows
// predictions with the checksum sum; it returns the object's size.
func (a *Archiver) verify(ctx context.Context, key string, rows int64, sum string) (int64, error) {
	f, err := os.CreateTemp(a.opts.TempDir, "modelwatch-verify-*.parquet")
	if err != nil {
		return 0, fmt.Errorf("verify %s: %w", key, err)
	}
	defer func() { _ = f.Close(); _ = os.Remove(f.Name()) }()
	if err := a.bucket.Download(ctx, key, f, nil); err != nil {
		return 0, fmt.Errorf("verify %s: read it back: %w", key, err)
	}
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return 0, fmt.Errorf("verify %s: %w", key, err)
	}
	got := newChecksum()
	if err := readRows(f, size, false, got.addParsed); err != nil {
		return 0, fmt.Errorf("verify %s: %w", key, err)
	}
	if got.rows != rows || got.String() != sum {
		return 0, fmt.Errorf("verify %s: it holds %d predictions with checksum %s, want %d with %s", key, got.rows, got.String(), rows, sum)
	}
	return size, nil
}

// removeStaleTemps deletes temporary objects left by runs that crashed an
// hour or more ago.
func (a *Archiver) removeStaleTemps(ctx context.Context) {
	it := a.bucket.List(&blob.ListOptions{Prefix: tempPrefix})
	for {
		obj, err := it.Next(ctx)
		if err != nil {
			if !errors.Is(err, io.EOF) {
				a.log.Warn("archive: list temporary objects", "err", err)
			}
			return
		}
		if a.opts.Now().Sub(obj.ModTime) > time.Hour {
			if err := a.bucket.Delete(ctx, obj.Key); err != nil {
				a.log.Warn("archive: delete a stale temporary object", "key", obj.Key, "err", err)
			}
		}
	}
}

func randomName() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}
