package interpreter

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/event"
)

// Stats says where a runner's time went: per phase of a test, the wall time and the
// part of it spent in command round trips (the server's work, as the driver's command
// monitoring measures it). The rest is the runner's own overhead.
type Stats struct {
	Tests  int
	Phases map[string]PhaseTime
}

// PhaseTime is the time of one phase, summed over tests.
type PhaseTime struct {
	Wall, Server time.Duration
}

// Overhead is the phase's time outside command round trips.
func (p PhaseTime) Overhead() time.Duration { return p.Wall - p.Server }

// Phases of a test, in order.
const (
	PhaseRequirements = "requirements"
	PhaseInitialData  = "initialData"
	PhaseEntities     = "createEntities"
	PhaseOperations   = "operations"
	PhaseExpectations = "expectations"
	PhaseCleanup      = "cleanup"
)

type stats struct {
	serverTime atomic.Int64 // command round trips of every client, in nanoseconds
	mu         sync.Mutex
	tests      int
	phases     map[string]PhaseTime
}

// monitor measures the internal client's commands.
func (s *stats) monitor() *event.CommandMonitor {
	add := func(d time.Duration) { s.serverTime.Add(int64(d)) }
	return &event.CommandMonitor{
		Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) { add(e.Duration) },
		Failed:    func(_ context.Context, e *event.CommandFailedEvent) { add(e.Duration) },
	}
}

// phase starts timing a phase; call the returned function when it ends.
func (s *stats) phase(name string) func() {
	start, server := time.Now(), s.serverTime.Load()
	return func() {
		wall, srv := time.Since(start), time.Duration(s.serverTime.Load()-server)
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.phases == nil {
			s.phases = map[string]PhaseTime{}
		}
		p := s.phases[name]
		p.Wall += wall
		p.Server += srv
		s.phases[name] = p
	}
}

func (s *stats) testDone() {
	s.mu.Lock()
	s.tests++
	s.mu.Unlock()
}

// Stats returns the time spent so far, by phase.
func (r *Runner) Stats() Stats {
	r.stats.mu.Lock()
	defer r.stats.mu.Unlock()
	out := Stats{Tests: r.stats.tests, Phases: map[string]PhaseTime{}}
	for k, v := range r.stats.phases {
		out.Phases[k] = v
	}
	return out
}
