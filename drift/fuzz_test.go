package drift_test

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/modelwatch/modelwatch/drift"
)

// Fuzz targets, one per test. Each decodes two samples from the input and
// checks the report's invariants: no panic, a finite p-value in [0, 1] or
// distance >= 0, or else a reason; and the report encodes as JSON. Run one
// with e.g. `go test -fuzz=FuzzKS ./drift/`; plain `go test` runs the
// seeds below.

// decodeNumbers splits data into two numerical samples. The first byte
// picks an encoding: small integers (many ties), or raw float64 bit
// patterns (NaN, ±Inf, huge and tiny values).
func decodeNumbers(data []byte) (ref, cur []float64) {
	if len(data) == 0 {
		return nil, nil
	}
	mode, data := data[0], data[1:]
	var vals []float64
	if mode%2 == 0 {
		for _, b := range data {
			vals = append(vals, float64(int8(b))/4)
		}
	} else {
		for len(data) >= 8 {
			vals = append(vals, math.Float64frombits(binary.LittleEndian.Uint64(data)))
			data = data[8:]
		}
	}
	split := int(mode/2) % (len(vals) + 1)
	return vals[:split], vals[split:]
}

// decodeLabels splits data into two categorical samples over eight labels;
// byte 255 is a missing value.
func decodeLabels(data []byte) (ref, cur []string, refMissing, curMissing []bool) {
	if len(data) == 0 {
		return nil, nil, nil, nil
	}
	split := int(data[0]) % len(data)
	for i, b := range data[1:] {
		label, missing := string(rune('a'+b%8)), b == 255
		if i < split {
			ref, refMissing = append(ref, label), append(refMissing, missing)
		} else {
			cur, curMissing = append(cur, label), append(curMissing, missing)
		}
	}
	return ref, cur, refMissing, curMissing
}

func fuzzTest(f *testing.F, key string) {
	test, ok := drift.LookupTest(key)
	if !ok { // the default choice: both column types
		test.Types = []drift.ColumnType{drift.Categorical, drift.Numerical}
	}
	f.Add([]byte{6, 1, 2, 3, 4, 5, 1, 2, 3, 9, 9, 9})
	f.Add([]byte{40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{3, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f, 0, 0, 0, 0, 0, 0, 0xf0, 0x7f, 1, 2, 3, 4, 5, 6, 7, 8, 255, 255, 255, 255, 255, 255, 0xef, 0x7f})
	f.Add([]byte{20, 255, 254, 1, 0, 3, 3, 3, 3, 7, 100, 200, 13, 13, 13, 13, 1})
	f.Add([]byte{})
	extreme := []byte{1 + 2*30}
	for i := range 40 {
		v := math.MaxFloat64 / float64(i+1)
		if i%2 == 1 {
			v = -v
		}
		extreme = binary.LittleEndian.AppendUint64(extreme, math.Float64bits(v))
	}
	f.Add(extreme)
	f.Fuzz(func(t *testing.T, data []byte) {
		var ref, cur []drift.Column
		if test.Types[0] == drift.Numerical || len(test.Types) == 2 && len(data)%2 == 0 {
			a, b := decodeNumbers(data)
			ref, cur = []drift.Column{drift.Numeric("x", a)}, []drift.Column{drift.Numeric("x", b)}
		} else {
			a, b, am, bm := decodeLabels(data)
			ref, cur = []drift.Column{drift.Strings("x", a, am)}, []drift.Column{drift.Strings("x", b, bm)}
		}
		rep, err := drift.Compare(ref, cur, drift.Options{StatTest: key})
		if err != nil {
			t.Fatal(err)
		}
		checkReport(t, rep)
	})
}

func FuzzKS(f *testing.F)               { fuzzTest(f, "ks") }
func FuzzChiSquare(f *testing.F)        { fuzzTest(f, "chisquare") }
func FuzzZ(f *testing.F)                { fuzzTest(f, "z") }
func FuzzWasserstein(f *testing.F)      { fuzzTest(f, "wasserstein") }
func FuzzJensenShannon(f *testing.F)    { fuzzTest(f, "jensenshannon") }
func FuzzPSI(f *testing.F)              { fuzzTest(f, "psi") }
func FuzzKLDiv(f *testing.F)            { fuzzTest(f, "kl_div") }
func FuzzHellinger(f *testing.F)        { fuzzTest(f, "hellinger") }
func FuzzEnergy(f *testing.F)           { fuzzTest(f, "ed") }
func FuzzAnderson(f *testing.F)         { fuzzTest(f, "anderson") }
func FuzzCramerVonMises(f *testing.F)   { fuzzTest(f, "cramer_von_mises") }
func FuzzTTest(f *testing.F)            { fuzzTest(f, "t_test") }
func FuzzMannWhitney(f *testing.F)      { fuzzTest(f, "mannw") }
func FuzzEppsSingleton(f *testing.F)    { fuzzTest(f, "es") }
func FuzzFisherExact(f *testing.F)      { fuzzTest(f, "fisher_exact") }
func FuzzGTest(f *testing.F)            { fuzzTest(f, "g_test") }
func FuzzTVD(f *testing.F)              { fuzzTest(f, "TVD") }
func FuzzEmpiricalMMD(f *testing.F)     { fuzzTest(f, "empirical_mmd") }
func FuzzDefaultSelection(f *testing.F) { fuzzTest(f, "") }
