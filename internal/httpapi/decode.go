package httpapi

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/modelwatch/modelwatch"
)

// format is how a request body encodes its records.
type format int

const (
	formatJSON   format = iota // one object or an array of objects
	formatNDJSON               // one object per line
)

// requestFormat reads the body's format from its Content-Type. A missing
// Content-Type is taken as JSON.
func requestFormat(r *http.Request) (format, error) {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return formatJSON, nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return 0, modelwatch.Errorf(modelwatch.EInvalid, "Content-Type %q is malformed: %v", ct, err)
	}
	switch mt {
	case "application/json":
		return formatJSON, nil
	case "application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines", "application/jsonlines":
		return formatNDJSON, nil
	}
	return 0, modelwatch.Errorf(modelwatch.EInvalid,
		"Content-Type %q is not supported: send application/json (an object or an array) or application/x-ndjson (one object per line)", mt)
}

// readBody reads the whole request body, at most limit bytes after
// decompression (Content-Encoding gzip is accepted).
func readBody(r *http.Request, limit int64) ([]byte, error) {
	var src io.Reader = http.MaxBytesReader(nil, r.Body, limit)
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(src)
		if err != nil {
			return nil, bodyError(err, limit)
		}
		defer zr.Close()
		src = io.LimitReader(zr, limit+1)
	default:
		return nil, modelwatch.Errorf(modelwatch.EInvalid, "Content-Encoding %q is not supported: send gzip or nothing", enc)
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 && r.ContentLength <= limit {
		// Room for the body and for the read that finds its end, which
		// bytes.Buffer makes at least MinRead bytes long: without it the
		// buffer grows (and copies the body) once the body is in.
		buf.Grow(int(r.ContentLength) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(src); err != nil {
		return nil, bodyError(err, limit)
	}
	if int64(buf.Len()) > limit {
		return nil, tooLarge(limit)
	}
	return buf.Bytes(), nil
}

func bodyError(err error, limit int64) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge(limit)
	}
	return modelwatch.Errorf(modelwatch.EInvalid, "read request body: %v", err)
}

func tooLarge(limit int64) error {
	return modelwatch.Errorf(modelwatch.ETooLarge, "request body is larger than %d bytes (--max-body-bytes); split the batch", limit)
}

// decodeRecords decodes the records of body into values of type T and calls
// fn for each, in order, with the record's index, its NDJSON line (0 for
// JSON) and the first decoding problem of the record, if any. Type errors
// are reported per record and decoding goes on; a JSON syntax error ends a
// JSON body (its remaining records cannot be found) but only its own line of
// an NDJSON body. fn must not keep v, which is reused.
//
// Records go through their type's fast decoder when it has one (see
// fastDecoder); those it gives up on, through encoding/json.
func decodeRecords[T any](body []byte, f format, fn func(index, line int, v *T, bad *modelwatch.FieldError)) {
	decodeRecordsWith(body, f, true, fn)
}

// decodeRecordsWith is decodeRecords, with the fast decoders or (fast
// false, for tests) with encoding/json alone.
func decodeRecordsWith[T any](body []byte, f format, fast bool, fn func(index, line int, v *T, bad *modelwatch.FieldError)) {
	s := &scan{}
	var v T
	fd, _ := any(&v).(fastDecoder)
	if fd == nil {
		fast = false
	}
	if f == formatNDJSON {
		index, line := 0, 0
		for len(body) > 0 {
			line++
			var rec []byte
			if i := bytes.IndexByte(body, '\n'); i >= 0 {
				rec, body = body[:i], body[i+1:]
			} else {
				rec, body = body, nil
			}
			rec = bytes.TrimSpace(rec)
			if len(rec) == 0 {
				continue
			}
			var zero T
			v = zero
			var bad *modelwatch.FieldError
			s.data, s.i = rec, 0
			if !fast || !fd.decodeFast(s) || s.i != len(rec) {
				v = zero
				if err := json.Unmarshal(rec, &v); err != nil {
					bad = fieldErrorOf(err)
				} else if rec[0] != '{' {
					bad = &modelwatch.FieldError{Message: "must be a JSON object"}
				}
			}
			fn(index, line, &v, bad)
			index++
		}
		return
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		fn(0, 0, nil, &modelwatch.FieldError{Message: "the request body is empty"})
		return
	}
	if fast {
		s.data = trimmed
		if trimmed[0] == '{' {
			if fd.decodeFast(s) && s.i == len(trimmed) {
				fn(0, 0, &v, nil)
				return
			}
		} else if vs, ok := decodeArrayFast[T](s); ok {
			for i := range vs {
				fn(i, 0, &vs[i], nil)
			}
			return
		}
	}
	decodeJSONStd(trimmed, fn)
}

// decodeArrayFast decodes a whole JSON array of records with their fast
// decoder, or reports that it cannot.
func decodeArrayFast[T any](s *scan) ([]T, bool) {
	if !s.next('[') {
		return nil, false
	}
	var vs []T
	if !s.next(']') {
		for {
			var zero T
			vs = append(vs, zero)
			if !any(&vs[len(vs)-1]).(fastDecoder).decodeFast(s) {
				return nil, false
			}
			if s.next(']') {
				break
			}
			if !s.next(',') {
				return nil, false
			}
		}
	}
	s.ws()
	return vs, s.i == len(s.data)
}

// decodeJSONStd decodes a JSON body (trimmed, not empty) with
// encoding/json.
func decodeJSONStd[T any](trimmed []byte, fn func(index, line int, v *T, bad *modelwatch.FieldError)) {
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if trimmed[0] != '[' {
		var v T
		var bad *modelwatch.FieldError
		if trimmed[0] != '{' {
			bad = &modelwatch.FieldError{Message: "must be a JSON object or an array of objects"}
		} else if err := dec.Decode(&v); err != nil {
			bad = fieldErrorOf(err)
		} else if dec.More() || dec.InputOffset() < int64(len(trimmed)) {
			bad = &modelwatch.FieldError{Message: "unexpected data after the JSON object; send several records as a JSON array, or as NDJSON with Content-Type: application/x-ndjson"}
		}
		fn(0, 0, &v, bad)
		return
	}
	if _, err := dec.Token(); err != nil {
		fn(0, 0, nil, fieldErrorOf(err))
		return
	}
	index := 0
	for dec.More() {
		var v T
		err := dec.Decode(&v)
		var bad *modelwatch.FieldError
		if err != nil {
			bad = fieldErrorOf(err)
		}
		fn(index, 0, &v, bad)
		index++
		if err != nil && !isTypeError(err) {
			return // the position in the stream is lost
		}
	}
	if _, err := dec.Token(); err != nil {
		fn(index, 0, nil, fieldErrorOf(err))
		return
	}
	if dec.More() || dec.InputOffset() < int64(len(trimmed)) {
		fn(index, 0, nil, &modelwatch.FieldError{Message: "unexpected data after the JSON array"})
	}
}

func isTypeError(err error) bool {
	var te *json.UnmarshalTypeError
	return errors.As(err, &te)
}

// fieldErrorOf describes a decoding error as a FieldError (without index).
func fieldErrorOf(err error) *modelwatch.FieldError {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return &modelwatch.FieldError{Field: te.Field, Message: "must be " + kindName(te.Type) + ", not " + jsonKind(te.Value)}
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &modelwatch.FieldError{Message: "malformed JSON at byte " + strconv.FormatInt(se.Offset, 10) + ": " + se.Error()}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return &modelwatch.FieldError{Message: "malformed JSON: unexpected end of input"}
	}
	return &modelwatch.FieldError{Message: "malformed JSON: " + err.Error()}
}

func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Float32, reflect.Float64, reflect.Int, reflect.Int64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Slice:
		return "an array"
	case reflect.Pointer:
		return kindName(t.Elem())
	}
	return "a " + t.String()
}

func jsonKind(v string) string {
	if strings.HasPrefix(v, "number") {
		return "a number"
	}
	switch v {
	case "number", "string", "bool", "array", "object":
		if v == "bool" {
			return "a boolean"
		}
		if v == "array" || v == "object" {
			return "an " + v
		}
		return "a " + v
	}
	return v
}

func itoa(i int) string { return strconv.Itoa(i) }

// maxRowsHint bounds the rows decodeBatch makes room for from the count of
// an NDJSON body's lines, which may be empty.
const maxRowsHint = 4096

// decodeBatch reads a request's records of wire type W and converts each
// with convert, which appends the record's problems to errs. When every
// record is valid it returns the converted values; otherwise it writes the
// error response (every invalid row listed, nothing stored) and returns
// ok=false. kind names the records in metrics and messages.
func decodeBatch[W, T any](s *Server, w http.ResponseWriter, r *http.Request, kind string,
	convert func(index, line int, wv *W, errs []modelwatch.FieldError) (T, []modelwatch.FieldError),
) (out []T, ok bool) {
	f, err := requestFormat(r)
	if err != nil {
		s.writeError(w, r, err)
		return nil, false
	}
	body, err := readBody(r, s.opts.MaxBodyBytes)
	if err != nil {
		s.writeError(w, r, err)
		return nil, false
	}
	var errs []modelwatch.FieldError
	if f == formatNDJSON {
		out = make([]T, 0, min(bytes.Count(body, []byte{'\n'})+1, maxRowsHint))
	}
	decodeRecords(body, f, func(index, line int, wv *W, bad *modelwatch.FieldError) {
		if bad != nil {
			bad.Index, bad.Line = index, line
			errs = append(errs, *bad)
			return
		}
		var v T
		v, errs = convert(index, line, wv, errs)
		out = append(out, v)
	})
	if len(errs) > 0 {
		s.metrics.IngestRows(kind, "rejected", max(len(out), 1))
		s.writeError(w, r, invalidRows(errs))
		return nil, false
	}
	if len(out) > s.opts.MaxBatchRows {
		s.writeError(w, r, modelwatch.Errorf(modelwatch.ETooLarge, "the batch has %d records, more than the limit of %d; split it", len(out), s.opts.MaxBatchRows))
		return nil, false
	}
	return out, true
}
