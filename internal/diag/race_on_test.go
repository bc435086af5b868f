//go:build race

package diag

// raceEnabled: the race detector makes code 5-10x slower; long loops in
// tests run fewer rounds under it.
const raceEnabled = true
