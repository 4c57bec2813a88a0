package entities

import "go.mongodb.org/mongo-driver/v2/event"

// TroubleMonitors call notify when a client sees its server go away: a connection pool
// cleared (a network error on a connection, or a failed heartbeat) or a heartbeat
// failed. The run then asks whether the server is still there; tests that make a
// server unreachable on purpose only cost it a ping.
func TroubleMonitors(notify func()) (*event.PoolMonitor, *event.ServerMonitor) {
	pools := &event.PoolMonitor{Event: func(e *event.PoolEvent) {
		if e.Type == event.ConnectionPoolCleared {
			notify()
		}
	}}
	servers := &event.ServerMonitor{ServerHeartbeatFailed: func(*event.ServerHeartbeatFailedEvent) { notify() }}
	return pools, servers
}
