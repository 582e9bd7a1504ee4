package postgres

import (
	"context"
	"encoding/binary"
	"io"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/modelwatch/modelwatch"
)

// predictionColumns are the columns COPY writes, in the order copyRows
// encodes them.
var predictionColumns = []string{
	"ts", "mv_id", "id", "prediction", "confidence", "preprocessing_ms", "inference_ms",
	"postprocessing_ms", "latency_ms", "label_seq", "label_rev", "labelled_at", "ground_truth", "features", "probabilities",
}

// copyPredictions is the COPY statement copyRows feeds.
var copyPredictions = "COPY predictions (" + strings.Join(predictionColumns, ", ") + ") FROM STDIN (FORMAT binary)"

// copyPredictionRows writes rows of ps into predictions with one COPY in
// tx. The rows are encoded here, in PostgreSQL's binary COPY format, rather
// than through pgx's CopyFrom: the column types are fixed, so each value is
// written straight into the buffer, without the per-value type lookups
// and allocations of the general path (the larger part of the Go CPU a
// COPY of predictions costs).
func copyPredictionRows(ctx context.Context, tx pgx.Tx, ps []modelwatch.Prediction, rows []newRow) error {
	_, err := tx.Conn().PgConn().CopyFrom(ctx, &copyRows{ps: ps, rows: rows}, copyPredictions)
	return err
}

// copyRows is an io.Reader of rows of ps in PostgreSQL's binary COPY
// format (https://www.postgresql.org/docs/current/sql-copy.html, "Binary
// Format"), the values of predictionColumns in order. It encodes rows as
// they are read, so that PostgreSQL works on the first rows while the
// later ones are encoded.
type copyRows struct {
	ps      []modelwatch.Prediction
	rows    []newRow
	next    int  // rows encoded; len(rows)+1 once the trailer is
	started bool // the signature is encoded
	buf     []byte
	off     int // bytes of buf already read
}

// copySignature starts a binary COPY: the signature, no flags, and no
// header extension.
const copySignature = "PGCOPY\n\xff\r\n\x00" + "\x00\x00\x00\x00" + "\x00\x00\x00\x00"

// Read implements io.Reader.
func (c *copyRows) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for c.off == len(c.buf) {
		if c.next > len(c.rows) {
			return 0, io.EOF
		}
		if c.buf == nil {
			c.buf = make([]byte, 0, len(p)+4096)
		}
		c.buf, c.off = c.buf[:0], 0
		if !c.started {
			c.buf, c.started = append(c.buf, copySignature...), true
		}
		for c.next < len(c.rows) && len(c.buf) < len(p) { // an empty buf takes a row: len(p) > 0
			c.buf = c.appendRow(c.buf, &c.rows[c.next])
			c.next++
		}
		if c.next == len(c.rows) {
			c.buf = binary.BigEndian.AppendUint16(c.buf, 0xffff) // the trailer: -1 fields
			c.next++
		}
	}
	n := copy(p, c.buf[c.off:])
	c.off += n
	return n, nil
}

// appendRow appends one tuple: its number of fields, then each field's
// length in bytes (-1 for NULL) followed by its bytes.
func (c *copyRows) appendRow(b []byte, r *newRow) []byte {
	p := &c.ps[r.i]
	b = binary.BigEndian.AppendUint16(b, uint16(len(predictionColumns)))
	b = appendTimestamptz(b, p.Timestamp)
	b = binary.BigEndian.AppendUint32(b, 4)
	b = binary.BigEndian.AppendUint32(b, uint32(int32(r.mv)))
	b = appendText(b, p.ID)
	b = appendText(b, string(p.Prediction))
	b = appendFloat8(b, p.Confidence)
	b = appendFloat8(b, p.Latency.PreprocessingMs)
	b = appendFloat8(b, p.Latency.InferenceMs)
	b = appendFloat8(b, p.Latency.PostprocessingMs)
	b = appendFloat8(b, p.LatencyMs)
	if r.labelled {
		b = appendInt8(b, r.rev)
		b = appendInt8(b, r.rev)
		b = appendTimestamptz(b, r.labelAt)
		b = appendText(b, r.label)
	} else {
		b = appendNull(b, 4)
	}
	if len(p.Features) > 0 {
		b = appendBytes(b, p.Features) // json: the text as it is
	} else {
		b = appendNull(b, 1)
	}
	if r.probs != nil {
		b = appendBytes(b, r.probs)
	} else {
		b = appendNull(b, 1)
	}
	return b
}

func appendNull(b []byte, n int) []byte {
	for range n {
		b = binary.BigEndian.AppendUint32(b, 0xffffffff)
	}
	return b
}

func appendText(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

func appendBytes(b, s []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

func appendInt8(b []byte, v int64) []byte {
	b = binary.BigEndian.AppendUint32(b, 8)
	return binary.BigEndian.AppendUint64(b, uint64(v))
}

func appendFloat8(b []byte, v *float64) []byte {
	if v == nil {
		return appendNull(b, 1)
	}
	b = binary.BigEndian.AppendUint32(b, 8)
	return binary.BigEndian.AppendUint64(b, math.Float64bits(*v))
}

// postgresEpoch is 2000-01-01 00:00:00 UTC in Unix microseconds: binary
// timestamps count microseconds from it.
const postgresEpoch = 946_684_800_000_000

// appendTimestamptz appends t to the microsecond, truncated (as pgx's
// encoding does).
func appendTimestamptz(b []byte, t time.Time) []byte {
	b = binary.BigEndian.AppendUint32(b, 8)
	return binary.BigEndian.AppendUint64(b, uint64(t.Unix()*1_000_000+int64(t.Nanosecond())/1000-postgresEpoch))
}
