// Package parallel runs independent pieces of work on every core.
package parallel

// Each calls do for 0, 1, ..., n-1 on up to GOMAXPROCS goroutines, each
// taking the next index when it is done with one (so uneven pieces
// spread well), and returns the error of the lowest index that failed.
// After a failure, indices not yet started are skipped.
func Each(n int, do func(i int) error) error {
	return (*Crew)(nil).Each(n, do)
}
