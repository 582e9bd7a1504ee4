//go:build race

package drift

// raceDetector is true under the race detector, which slows pure
// arithmetic about fivefold with nothing to check in it (no goroutines):
// TestSpecialFunctionsMatchSciPy then leaves out its n >= 100000 vectors.
const raceDetector = true
