package entities

import (
	"sync/atomic"

	"go.mongodb.org/mongo-driver/v2/event"
)

// The monitors below add a client's connection handshakes and heartbeats (round trips
// that command monitoring does not see) to a time counter, so that a runner can tell
// the server's share of a test's time from its own.

func poolRoundTrips(total *atomic.Int64) *event.PoolMonitor {
	return &event.PoolMonitor{Event: func(e *event.PoolEvent) {
		if e.Type == event.ConnectionReady {
			total.Add(int64(e.Duration))
		}
	}}
}

func heartbeatRoundTrips(total *atomic.Int64) *event.ServerMonitor {
	return &event.ServerMonitor{
		// Awaited heartbeats wait on the server by design; only polls are round trips.
		ServerHeartbeatSucceeded: func(e *event.ServerHeartbeatSucceededEvent) {
			if !e.Awaited {
				total.Add(int64(e.Duration))
			}
		},
		ServerHeartbeatFailed: func(e *event.ServerHeartbeatFailedEvent) {
			if !e.Awaited {
				total.Add(int64(e.Duration))
			}
		},
	}
}
