//go:build race

package drift_test

// raceEnabled is true under the race detector, which slows pure numeric
// loops tenfold without having anything to check in them; the heaviest
// single-goroutine vectors are then left to the normal test run.
const raceEnabled = true
