//go:build race

package conformance

// raceEnabled builds the server with the race detector when the tests run
// with it, so races in the server fail the conformance run too.
const raceEnabled = true
