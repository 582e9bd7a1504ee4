package archive

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
	"gocloud.dev/blob"

	"github.com/modelwatch/modelwatch"
)

// escape makes a model name or version safe as a Hive partition value:
// letters, digits, '.', '-' and '_' stay, every other byte becomes %XX.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// Part is one archive file.
type Part struct {
	Model modelwatch.ModelKey
	Day   time.Time
	Part  int
	Key   string
	Size  int64
}

// parseKey parses an archive file's key (see ObjectKey).
func parseKey(key string) (Part, bool) {
	segs := strings.Split(key, "/")
	if len(segs) != 4 {
		return Part{}, false
	}
	var p Part
	var err error
	for i, prefix := range []string{"model_name=", "model_version=", "date="} {
		v, ok := strings.CutPrefix(segs[i], prefix)
		if !ok {
			return Part{}, false
		}
		switch i {
		case 0:
			p.Model.Name, err = url.PathUnescape(v)
		case 1:
			p.Model.Version, err = url.PathUnescape(v)
		case 2:
			p.Day, err = time.Parse(time.DateOnly, v)
		}
		if err != nil {
			return Part{}, false
		}
	}
	num, ok1 := strings.CutPrefix(segs[3], "part-")
	num, ok2 := strings.CutSuffix(num, ".parquet")
	if !ok1 || !ok2 {
		return Part{}, false
	}
	if p.Part, err = strconv.Atoi(num); err != nil {
		return Part{}, false
	}
	p.Key = key
	return p, true
}

// List returns the archive files of a model version (an empty name or
// version matches any), ordered by model, version, day and part.
func List(ctx context.Context, b *blob.Bucket, model, version string) ([]Part, error) {
	prefix := ""
	if model != "" {
		prefix = "model_name=" + escape(model) + "/"
		if version != "" {
			prefix += "model_version=" + escape(version) + "/"
		}
	}
	var out []Part
	it := b.List(&blob.ListOptions{Prefix: prefix})
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("list the archive: %w", err)
		}
		p, ok := parseKey(obj.Key)
		if !ok || (version != "" && p.Model.Version != version) {
			continue
		}
		p.Size = obj.Size
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Part) int {
		if c := strings.Compare(a.Model.Name, b.Model.Name); c != 0 {
			return c
		}
		if c := strings.Compare(a.Model.Version, b.Model.Version); c != 0 {
			return c
		}
		if c := a.Day.Compare(b.Day); c != 0 {
			return c
		}
		return a.Part - b.Part
	})
	return out, nil
}

// Restore writes the predictions of a model version's archived day, every
// part, to w as NDJSON: one prediction per line, in the API's format, with
// its ground truth. It returns how many it wrote.
func Restore(ctx context.Context, b *blob.Bucket, key modelwatch.ModelKey, day time.Time, w io.Writer) (int64, error) {
	parts, err := List(ctx, b, key.Name, key.Version)
	if err != nil {
		return 0, err
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	var n int64
	found := false
	for _, p := range parts {
		if !p.Day.Equal(day.UTC().Truncate(24 * time.Hour)) {
			continue
		}
		found = true
		if err := readObject(ctx, b, p.Key, func(pr *modelwatch.Prediction) error {
			n++
			return enc.Encode(pr)
		}); err != nil {
			return n, err
		}
	}
	if !found {
		return 0, modelwatch.Errorf(modelwatch.ENotFound, "the archive has nothing of %s on %s", key, day.Format(time.DateOnly))
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("write restored predictions: %w", err)
	}
	return n, nil
}

// readObject downloads an archive file to a temporary file and reads it.
func readObject(ctx context.Context, b *blob.Bucket, key string, fn func(p *modelwatch.Prediction) error) error {
	f, err := os.CreateTemp("", "modelwatch-archive-*.parquet")
	if err != nil {
		return fmt.Errorf("read %s: %w", key, err)
	}
	defer func() { _ = f.Close(); _ = os.Remove(f.Name()) }()
	if err := b.Download(ctx, key, f, nil); err != nil {
		return fmt.Errorf("read %s: %w", key, err)
	}
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return fmt.Errorf("read %s: %w", key, err)
	}
	if err := readFile(f, size, fn); err != nil {
		return fmt.Errorf("read %s: %w", key, err)
	}
	return nil
}

// Day summarises the archive files of a model version's day.
type Day struct {
	Model modelwatch.ModelKey
	Day   time.Time
	Parts int
	Rows  int64 // predictions, from the files' footers
	Bytes int64
}

// Days lists the archived days of a model version (an empty name or
// version matches any), reading each file's footer for its row count.
func Days(ctx context.Context, b *blob.Bucket, model, version string) ([]Day, error) {
	parts, err := List(ctx, b, model, version)
	if err != nil {
		return nil, err
	}
	var out []Day
	for _, p := range parts {
		rows, err := footerRows(ctx, b, p.Key, p.Size)
		if err != nil {
			return nil, err
		}
		if n := len(out); n > 0 && out[n-1].Model == p.Model && out[n-1].Day.Equal(p.Day) {
			out[n-1].Parts++
			out[n-1].Rows += rows
			out[n-1].Bytes += p.Size
			continue
		}
		out = append(out, Day{Model: p.Model, Day: p.Day, Parts: 1, Rows: rows, Bytes: p.Size})
	}
	return out, nil
}

// footerRows reads the row count from a Parquet file's footer with range
// reads, without downloading the file.
func footerRows(ctx context.Context, b *blob.Bucket, key string, size int64) (int64, error) {
	f, err := parquet.OpenFile(&blobReaderAt{ctx: ctx, b: b, key: key}, size,
		parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return 0, fmt.Errorf("read the footer of %s: %w", key, err)
	}
	return f.NumRows(), nil
}

// blobReaderAt reads an object with range requests.
type blobReaderAt struct {
	ctx context.Context
	b   *blob.Bucket
	key string
}

// ReadAt implements io.ReaderAt.
func (r *blobReaderAt) ReadAt(p []byte, off int64) (int, error) {
	rr, err := r.b.NewRangeReader(r.ctx, r.key, off, int64(len(p)), nil)
	if err != nil {
		return 0, err
	}
	defer rr.Close()
	n, err := io.ReadFull(rr, p)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = io.EOF
	}
	return n, err
}
