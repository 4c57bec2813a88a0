// Package ordered runs independent jobs on all cores and hands their results on in
// the order of the jobs, as soon as each and those before it are done.
package ordered

import "runtime"

// Each calls work(i) for every i in [0, n) on GOMAXPROCS goroutines, and use(i, its
// result) on the calling goroutine in the order of i, each as soon as it and those
// before it are ready: what use prints comes out as a serial loop's would, and starts
// at once. At most four results a core are ready or in work ahead of use, so that the
// results of many jobs are not all held at once.
func Each[T any](n int, work func(i int) T, use func(i int, result T)) {
	workers := runtime.GOMAXPROCS(0)
	window := make(chan struct{}, 4*workers) // a slot per job done or in work and not yet used
	done := make([]chan T, n)
	for i := range done {
		done[i] = make(chan T, 1)
	}
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range n {
			window <- struct{}{}
			next <- i
		}
	}()
	for range workers {
		go func() {
			for i := range next {
				done[i] <- work(i)
			}
		}()
	}
	for i := range n {
		use(i, <-done[i])
		done[i] = nil
		<-window
	}
}
