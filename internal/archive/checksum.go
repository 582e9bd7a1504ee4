package archive

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"math"
	"slices"

	"github.com/modelwatch/modelwatch"
)

// checksum hashes predictions in a canonical form, so that the rows read
// from the database and the rows read back from a Parquet file can be
// compared value by value: every field in a fixed order, each value tagged
// and length-prefixed, floats by their bits, times in microseconds,
// probabilities and features sorted by name and features by decoded value
// (the typed columns do not keep the JSON text, and need not).
type checksum struct {
	h     hash.Hash
	rows  int64
	buf   []byte
	feats []feature
	keys  []string
}

func newChecksum() *checksum { return &checksum{h: sha256.New()} }

// String returns "sha256:" and the hex digest of the rows so far.
func (c *checksum) String() string { return "sha256:" + hex.EncodeToString(c.h.Sum(nil)) }

// addParsed hashes one prediction whose features, when feats is not nil,
// are already parsed (as parseFeatures returns them).
func (c *checksum) addParsed(p *modelwatch.Prediction, feats []feature) error {
	c.rows++
	b := c.buf[:0]
	b = appendString(b, p.ID)
	b = appendString(b, p.ModelName)
	b = appendString(b, p.ModelVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(p.Timestamp.UnixMicro()))
	b = appendString(b, string(p.Prediction))
	b = appendOptFloat(b, p.Confidence)
	if p.Probabilities == nil {
		b = append(b, 0)
	} else {
		b = append(b, 1)
		c.keys = c.keys[:0]
		for k := range p.Probabilities {
			c.keys = append(c.keys, k)
		}
		slices.Sort(c.keys)
		b = binary.BigEndian.AppendUint32(b, uint32(len(c.keys)))
		for _, k := range c.keys {
			b = appendString(b, k)
			b = binary.BigEndian.AppendUint64(b, math.Float64bits(p.Probabilities[k]))
		}
	}
	for _, v := range []*float64{p.Latency.PreprocessingMs, p.Latency.InferenceMs, p.Latency.PostprocessingMs, p.LatencyMs} {
		b = appendOptFloat(b, v)
	}
	if p.GroundTruth == "" {
		b = append(b, 0)
	} else {
		b = append(b, 1)
		b = appendString(b, string(p.GroundTruth))
	}
	if p.LabelledAt.IsZero() {
		b = append(b, 0)
	} else {
		b = append(b, 1)
		b = binary.BigEndian.AppendUint64(b, uint64(p.LabelledAt.UnixMicro()))
	}
	if len(p.Features) == 0 && feats == nil {
		b = append(b, 0)
	} else {
		if feats == nil {
			var err error
			if c.feats, err = parseFeatures(c.feats, p.Features); err != nil {
				return err
			}
			feats = c.feats
		}
		b = append(b, 1)
		b = binary.BigEndian.AppendUint32(b, uint32(len(feats)))
		for _, f := range feats {
			b = appendString(b, f.name)
			b = append(b, f.kind)
			switch f.kind {
			case kindNumber:
				b = binary.BigEndian.AppendUint64(b, math.Float64bits(f.num))
			case kindString, kindOther:
				b = appendString(b, f.str)
			case kindBool:
				if f.b {
					b = append(b, 1)
				} else {
					b = append(b, 0)
				}
			}
		}
	}
	c.buf = b
	_, _ = c.h.Write(b) // a hash.Hash never fails to write
	return nil
}

func appendString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

func appendOptFloat(b []byte, v *float64) []byte {
	if v == nil {
		return append(b, 0)
	}
	b = append(b, 1)
	return binary.BigEndian.AppendUint64(b, math.Float64bits(*v))
}
