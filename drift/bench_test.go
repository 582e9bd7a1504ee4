package drift_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/modelwatch/modelwatch/drift"
)

// benchDataset is the benchmark dataset of issue 3: 20 numerical columns
// (normal, lognormal, uniform and gamma, in turn) and 5 categorical ones
// with 3, 5, 8, 12 and 19 levels. shift moves the current side.
func benchDataset(rows int, seed uint64, shift float64) []drift.Column {
	r := rand.New(rand.NewPCG(seed, 99))
	var cols []drift.Column
	for c := range 20 {
		v := make([]float64, rows)
		for i := range v {
			switch c % 4 {
			case 0:
				v[i] = r.NormFloat64() + shift
			case 1:
				v[i] = math.Exp(r.NormFloat64() + shift)
			case 2:
				v[i] = r.Float64()*10 + shift
			default: // gamma(2, 1): a sum of two exponentials
				v[i] = r.ExpFloat64() + r.ExpFloat64() + shift
			}
		}
		cols = append(cols, drift.Numeric(fmt.Sprintf("num%02d", c), v))
	}
	for c, n := range []int{3, 5, 8, 12, 19} {
		levels := make([]string, n)
		for k := range levels {
			levels[k] = fmt.Sprintf("L%d_%d", c, k)
		}
		codes := make([]int32, rows)
		for i := range codes {
			k := r.IntN(n)
			if shift > 0 && r.Float64() < shift/4 {
				k = 0
			}
			codes[i] = int32(k)
		}
		cols = append(cols, drift.Encoded(fmt.Sprintf("cat%d", c), codes, levels))
	}
	return cols
}

var benchSizes = []int{100_000, 1_000_000}

// BenchmarkCompare is the one-shot in-memory comparison of two datasets
// of the given rows per side, default options.
func BenchmarkCompare(b *testing.B) {
	for _, rows := range benchSizes {
		ref, cur := benchDataset(rows, 1, 0), benchDataset(rows, 2, 0.05)
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			b.ReportAllocs()
			cpu := startCPU()
			for b.Loop() {
				if _, err := drift.Compare(ref, cur, drift.Options{}); err != nil {
					b.Fatal(err)
				}
			}
			cpu(b)
		})
	}
}

// BenchmarkComparePeakMemory reports peak-MB: how far one one-shot
// comparison raises the process's peak resident memory above what it holds
// before, the raw columns (Linux, through /proc). Each iteration first
// returns all free memory to the OS, so its time is not the comparison's;
// see BenchmarkCompare for that.
func BenchmarkComparePeakMemory(b *testing.B) {
	for _, rows := range benchSizes {
		ref, cur := benchDataset(rows, 1, 0), benchDataset(rows, 2, 0.05)
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			worst, ok := 0.0, true
			for b.Loop() {
				peak := startPeak()
				if _, err := drift.Compare(ref, cur, drift.Options{}); err != nil {
					b.Fatal(err)
				}
				mb, measured := peak()
				ok = ok && measured
				worst = max(worst, mb)
			}
			if ok {
				b.ReportMetric(worst, "peak-MB")
			}
		})
	}
}

// BenchmarkPreparedCompare compares current windows with a reference
// prepared once, as the server's scheduled checks do.
func BenchmarkPreparedCompare(b *testing.B) {
	for _, rows := range benchSizes {
		ref, err := drift.Prepare(benchDataset(rows, 1, 0), drift.Options{})
		if err != nil {
			b.Fatal(err)
		}
		cur := benchDataset(rows, 2, 0.05)
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			b.ReportAllocs()
			cpu := startCPU()
			for b.Loop() {
				if _, err := ref.Compare(cur); err != nil {
					b.Fatal(err)
				}
			}
			cpu(b)
		})
	}
}

// BenchmarkPrepare is the one-off cost of preparing a reference.
func BenchmarkPrepare(b *testing.B) {
	for _, rows := range benchSizes {
		data := benchDataset(rows, 1, 0)
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := drift.Prepare(data, drift.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// startCPU returns a function that reports cpu-s/op, the process's CPU
// time (user and system, all threads) per iteration: unlike the wall time
// it does not grow when other processes compete for the cores.
func startCPU() func(*testing.B) {
	start, ok := cpuSeconds()
	return func(b *testing.B) {
		end, ok2 := cpuSeconds()
		if ok && ok2 && b.N > 0 {
			b.ReportMetric((end-start)/float64(b.N), "cpu-s/op")
		}
	}
}

// startPeak resets the kernel's peak-RSS counter and returns a function
// that reports how far the peak rose above the resident size at the reset,
// in MB.
func startPeak() func() (float64, bool) {
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		return func() (float64, bool) { return 0, false }
	}
	base, ok := procStatusKB("VmRSS")
	return func() (float64, bool) {
		hwm, ok2 := procStatusKB("VmHWM")
		if !ok || !ok2 {
			return 0, false
		}
		return float64(hwm-base) / 1024, true
	}
}

// procStatusKB reads a "kB" field of /proc/self/status.
func procStatusKB(field string) (int64, bool) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			v, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return v, err == nil
		}
	}
	return 0, false
}
