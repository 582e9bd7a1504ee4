//go:build !race

package drift

// raceDetector is true under the race detector; see race_internal_test.go.
const raceDetector = false
