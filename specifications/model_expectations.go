package specifications

import "go.mongodb.org/mongo-driver/v2/bson"

// The expectations of a test beyond its operations: the events, log messages and
// tracing spans each client must have produced.

// ExpectedEventsForClient lists the events one client must have observed.
type ExpectedEventsForClient struct {
	Client            string          `spec:"client,required"`
	EventType         string          `spec:"eventType,enum=command|cmap|sdam"`
	Events            []ExpectedEvent `spec:"events,required"`
	IgnoreExtraEvents *bool           `spec:"ignoreExtraEvents"`

	// Label, set only by translation, names the list in messages as its legacy fixture
	// does ("expectations"); empty, it is expectEvents[i] (client).
	Label string `spec:"-"`
}

// Family is the event type with its default ("command").
func (e *ExpectedEventsForClient) Family() string {
	if e.EventType == "" {
		return "command"
	}
	return e.EventType
}

func (e *ExpectedEventsForClient) validate() *FieldError {
	for i := range e.Events {
		if got := e.Events[i].Family(); got != e.Family() {
			return fieldErrorf(indexPath("events", i), "%s is a %s event, but eventType is %q", e.Events[i].Name(), got, e.Family())
		}
	}
	return nil
}

// ExpectedEvent is one expected event: exactly one field is set. Which fields are
// allowed depends on the eventType of the list (checked by ExpectedEventsForClient).
type ExpectedEvent struct {
	CommandStartedEvent   *CommandStartedEvent   `spec:"commandStartedEvent"`
	CommandSucceededEvent *CommandSucceededEvent `spec:"commandSucceededEvent"`
	CommandFailedEvent    *CommandFailedEvent    `spec:"commandFailedEvent"`

	PoolCreatedEvent               *struct{}         `spec:"poolCreatedEvent"`
	PoolReadyEvent                 *struct{}         `spec:"poolReadyEvent"`
	PoolClearedEvent               *PoolClearedEvent `spec:"poolClearedEvent"`
	PoolClosedEvent                *struct{}         `spec:"poolClosedEvent"`
	ConnectionCreatedEvent         *struct{}         `spec:"connectionCreatedEvent"`
	ConnectionReadyEvent           *struct{}         `spec:"connectionReadyEvent"`
	ConnectionClosedEvent          *ConnectionReason `spec:"connectionClosedEvent"`
	ConnectionCheckOutStartedEvent *struct{}         `spec:"connectionCheckOutStartedEvent"`
	ConnectionCheckOutFailedEvent  *ConnectionReason `spec:"connectionCheckOutFailedEvent"`
	ConnectionCheckedOutEvent      *struct{}         `spec:"connectionCheckedOutEvent"`
	ConnectionCheckedInEvent       *struct{}         `spec:"connectionCheckedInEvent"`

	ServerDescriptionChangedEvent   *ServerDescriptionChange   `spec:"serverDescriptionChangedEvent"`
	TopologyDescriptionChangedEvent *TopologyDescriptionChange `spec:"topologyDescriptionChangedEvent"`
	ServerHeartbeatStartedEvent     *HeartbeatEvent            `spec:"serverHeartbeatStartedEvent"`
	ServerHeartbeatSucceededEvent   *HeartbeatEvent            `spec:"serverHeartbeatSucceededEvent"`
	ServerHeartbeatFailedEvent      *HeartbeatEvent            `spec:"serverHeartbeatFailedEvent"`
	TopologyOpeningEvent            *struct{}                  `spec:"topologyOpeningEvent"`
	TopologyClosedEvent             *struct{}                  `spec:"topologyClosedEvent"`
}

func (*ExpectedEvent) oneOf() {}

// Name is the event's key, e.g. "commandStartedEvent".
func (e *ExpectedEvent) Name() string { name, _ := setField(e); return name }

// Family is the eventType the event belongs to: command, cmap or sdam.
func (e *ExpectedEvent) Family() string {
	switch {
	case e.CommandStartedEvent != nil || e.CommandSucceededEvent != nil || e.CommandFailedEvent != nil:
		return "command"
	case e.ServerDescriptionChangedEvent != nil || e.TopologyDescriptionChangedEvent != nil ||
		e.ServerHeartbeatStartedEvent != nil || e.ServerHeartbeatSucceededEvent != nil ||
		e.ServerHeartbeatFailedEvent != nil || e.TopologyOpeningEvent != nil || e.TopologyClosedEvent != nil:
		return "sdam"
	}
	return "cmap"
}

type CommandStartedEvent struct {
	Command               bson.Raw `spec:"command"`
	CommandName           *string  `spec:"commandName"`
	DatabaseName          *string  `spec:"databaseName"`
	HasServiceID          *bool    `spec:"hasServiceId"`
	HasServerConnectionID *bool    `spec:"hasServerConnectionId"`
}

type CommandSucceededEvent struct {
	Reply                 bson.Raw `spec:"reply"`
	CommandName           *string  `spec:"commandName"`
	DatabaseName          *string  `spec:"databaseName"`
	HasServiceID          *bool    `spec:"hasServiceId"`
	HasServerConnectionID *bool    `spec:"hasServerConnectionId"`
}

type CommandFailedEvent struct {
	CommandName           *string `spec:"commandName"`
	DatabaseName          *string `spec:"databaseName"`
	HasServiceID          *bool   `spec:"hasServiceId"`
	HasServerConnectionID *bool   `spec:"hasServerConnectionId"`
}

type PoolClearedEvent struct {
	HasServiceID              *bool `spec:"hasServiceId"`
	InterruptInUseConnections *bool `spec:"interruptInUseConnections"`
}

type ConnectionReason struct {
	Reason *string `spec:"reason"`
}

type ServerDescriptionChange struct {
	PreviousDescription *ServerDescription `spec:"previousDescription"`
	NewDescription      *ServerDescription `spec:"newDescription"`
}

type ServerDescription struct {
	Type string `spec:"type,enum=Standalone|Mongos|PossiblePrimary|RSPrimary|RSSecondary|RSOther|RSArbiter|RSGhost|LoadBalancer|Unknown"`
}

type TopologyDescriptionChange struct {
	PreviousDescription *TopologyDescription `spec:"previousDescription"`
	NewDescription      *TopologyDescription `spec:"newDescription"`
}

type TopologyDescription struct {
	Type string `spec:"type,enum=Single|Unknown|ReplicaSetNoPrimary|ReplicaSetWithPrimary|Sharded|LoadBalanced"`
}

type HeartbeatEvent struct {
	Awaited *bool `spec:"awaited"`
}

// ExpectedLogMessagesForClient lists the log messages one client must have emitted.
type ExpectedLogMessagesForClient struct {
	Client              string               `spec:"client,required"`
	Messages            []ExpectedLogMessage `spec:"messages,required"`
	IgnoreExtraMessages *bool                `spec:"ignoreExtraMessages"`
	IgnoreMessages      []ExpectedLogMessage `spec:"ignoreMessages"`
}

type ExpectedLogMessage struct {
	Level             string   `spec:"level,required,enum=@severity"`
	Component         string   `spec:"component,required,enum=command|topology|serverSelection|connection"`
	Data              bson.Raw `spec:"data,required"`
	FailureIsRedacted *bool    `spec:"failureIsRedacted"`
}

// ExpectedTracingMessagesForClient lists the tracing spans one client must have emitted.
type ExpectedTracingMessagesForClient struct {
	Client           string `spec:"client,required"`
	IgnoreExtraSpans *bool  `spec:"ignoreExtraSpans"`
	Spans            []Span `spec:"spans,required,nonempty"`
}

type Span struct {
	Name       string   `spec:"name,required"`
	Attributes bson.Raw `spec:"attributes,required"`
	Nested     []Span   `spec:"nested,nonempty"`
}
