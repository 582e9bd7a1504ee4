//go:build race

package drift

// raceDetector is true under the race detector; see race_test.go.
const raceDetector = true
