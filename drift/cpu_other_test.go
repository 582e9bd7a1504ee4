//go:build !unix

package drift_test

// cpuSeconds is not measured on this platform.
func cpuSeconds() (float64, bool) { return 0, false }
