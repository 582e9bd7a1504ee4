package dataset

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// benchCSV writes rows of the benchmark dataset: 20 numerical columns
// (normal, lognormal, uniform, gamma-like) written with Python's repr
// precision, and 5 categorical columns of 3 to 19 levels.
func benchCSV(rows int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	var sb strings.Builder
	for c := range 20 {
		fmt.Fprintf(&sb, "num%02d,", c)
	}
	sb.WriteString("cat0,cat1,cat2,cat3,cat4\n")
	levels := []int{3, 5, 8, 12, 19}
	buf := make([]byte, 0, 32)
	for range rows {
		for c := range 20 {
			var v float64
			switch c % 4 {
			case 0:
				v = r.NormFloat64()
			case 1:
				v = math.Exp(r.NormFloat64())
			case 2:
				v = r.Float64() * 10
			default:
				v = r.ExpFloat64() + r.ExpFloat64()
			}
			buf = strconv.AppendFloat(buf[:0], v, 'g', -1, 64)
			sb.Write(buf)
			sb.WriteByte(',')
		}
		for c, n := range levels {
			fmt.Fprintf(&sb, "L%d_%d", c, r.IntN(n))
			if c < 4 {
				sb.WriteByte(',')
			}
		}
		sb.WriteByte('\n')
	}
	return []byte(sb.String())
}

func BenchmarkParseCSV(b *testing.B) {
	for _, rows := range []int{100_000, 1_000_000} {
		data := benchCSV(rows, 1)
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseCSV(data, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
