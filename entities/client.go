package entities

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/connstring"

	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// Client is a client entity: a driver client and what it observed: command, CMAP and
// SDAM events, log messages, and what the runner tracks for its operations (the
// connections checked out, the newest topology description).
type Client struct {
	ID     string
	Client *mongo.Client
	Reads  Reads // from the URI and uriOptions
	// Timeout is the client's timeoutMS (from the URI and uriOptions), nil if none.
	Timeout *time.Duration
	// RetryReads is the client's retryReads (from the URI and uriOptions; default true).
	RetryReads bool
	// IgnoredSocketTimeout is the socketTimeoutMS of the URI or uriOptions where no
	// timeoutMS overrides it, which the Go driver v2 reads and never applies; 0 if none.
	IgnoredSocketTimeout time.Duration
	// AppName is the client's appname (from the URI and uriOptions), which a fail
	// point's appName filter compares; "" if none.
	AppName string
	events  *commandRecorder
	monitor *monitorRecorder
	logs    *logRecorder // nil without observeLogMessages
	store   *eventStore  // nil without storeEventsAsEntities
	signal  *signal
}

func (*Client) Kind() Kind { return KindClient }
func (c *Client) close(ctx context.Context) {
	if c.Client != nil {
		_ = c.Client.Disconnect(ctx)
	}
}

// CommandEvents returns a copy of the observed command events, in order.
func (c *Client) CommandEvents() []CommandEvent {
	c.events.mu.Lock()
	defer c.events.mu.Unlock()
	return append([]CommandEvent(nil), c.events.events...)
}

// CMAPEvents returns a copy of the observed CMAP events, in order.
func (c *Client) CMAPEvents() []Event {
	c.monitor.mu.Lock()
	defer c.monitor.mu.Unlock()
	return append([]Event(nil), c.monitor.cmap...)
}

// SDAMEvents returns a copy of the observed SDAM events, in order.
func (c *Client) SDAMEvents() []Event {
	c.monitor.mu.Lock()
	defer c.monitor.mu.Unlock()
	return append([]Event(nil), c.monitor.sdam...)
}

// LogMessages returns a copy of the observed log messages, in order.
func (c *Client) LogMessages() []LogMessage {
	if c.logs == nil {
		return nil
	}
	c.logs.mu.Lock()
	defer c.logs.mu.Unlock()
	return append([]LogMessage(nil), c.logs.messages...)
}

// ConnectionsCheckedOut is the number of connections checked out now: CMAP checked-out
// events less checked-in events, whatever observeEvents says.
func (c *Client) ConnectionsCheckedOut() int {
	c.monitor.mu.Lock()
	defer c.monitor.mu.Unlock()
	return c.monitor.checkedOut
}

// Topology returns the client's newest topology description (that of the last
// topology description changed event); false before the first.
func (c *Client) Topology() (event.TopologyDescription, bool) {
	c.monitor.mu.Lock()
	defer c.monitor.mu.Unlock()
	if c.monitor.topology == nil {
		return event.TopologyDescription{}, false
	}
	return *c.monitor.topology, true
}

// Changed returns a channel that is closed at the client's next event (observed or
// not, of any family): a waiter takes it, then looks at the events, then waits on it.
func (c *Client) Changed() <-chan struct{} { return c.signal.wait() }

// Recording is what a client has observed, for tests of the assertions outside this
// package.
type Recording struct {
	Commands   []CommandEvent
	CMAP, SDAM []Event
	Logs       []LogMessage
	CheckedOut int
	Topology   *event.TopologyDescription
	// FindCursors: see Client.FindCursor.
	FindCursors map[int64]int64
}

// NewRecordedClient returns a client entity without a driver client that has observed
// what rec holds. Its Client is nil: it cannot run operations.
func NewRecordedClient(id string, rec Recording) *Client {
	s := newSignal()
	mon := newMonitorRecorder(s)
	mon.cmap, mon.sdam, mon.checkedOut, mon.topology = rec.CMAP, rec.SDAM, rec.CheckedOut, rec.Topology
	return &Client{
		ID: id, signal: s, monitor: mon,
		events: &commandRecorder{events: rec.Commands, findCursors: rec.FindCursors, signal: s},
		logs:   &logRecorder{messages: rec.Logs, signal: s},
	}
}

// NewObservedClient returns a client entity without a driver client that has observed
// command events, in order (see NewRecordedClient).
func NewObservedClient(id string, events ...CommandEvent) *Client {
	return NewRecordedClient(id, Recording{Commands: events})
}

// FindCursor returns the id of the cursor that the reply to the find with requestID
// left open, whether the client observes replies or not; 0 if it left none open or the
// client sent no such find.
func (c *Client) FindCursor(requestID int64) int64 {
	c.events.mu.Lock()
	defer c.events.mu.Unlock()
	return c.events.findCursors[requestID]
}

// LastCommand returns the last command this client sent, observed or not, and the
// event that ended it (zero while it runs): the context of a failure report.
func (c *Client) LastCommand() (started, ended CommandEvent) {
	c.events.mu.Lock()
	defer c.events.mu.Unlock()
	return c.events.last, c.events.lastOutcome
}

// StopObserving turns the client's event listeners and log collector off: the spec
// has them disabled once a test's operations are done, before events are asserted.
func (c *Client) StopObserving() {
	c.events.mu.Lock()
	c.events.stopped = true
	c.events.mu.Unlock()
	c.monitor.mu.Lock()
	c.monitor.stopped = true
	c.monitor.mu.Unlock()
	if c.logs != nil {
		c.logs.mu.Lock()
		c.logs.stopped = true
		c.logs.mu.Unlock()
	}
}

// Unobserved runs fn with event recording paused, for the configureFailPoint commands
// that the spec keeps out of the observed events.
func (c *Client) Unobserved(fn func() error) error {
	c.events.mu.Lock()
	c.events.paused = true
	c.events.mu.Unlock()
	defer func() {
		c.events.mu.Lock()
		c.events.paused = false
		c.events.mu.Unlock()
	}()
	return fn()
}

// ClientConfig is what a client entity needs from the test run.
type ClientConfig struct {
	URI        string     // the connection string the run targets
	Deployment Deployment // what else decides a client's connection string
	// CommandTime, when set, accumulates the duration of every command the client
	// runs (round trips: the server's share of a test's time).
	CommandTime *atomic.Int64
	// Trouble, when set, is called when the client sees its server go away
	// (TroubleMonitors).
	Trouble func()
	// FastHeartbeat, for a test that may set a fail point, gives the client the
	// smallest heartbeatFrequencyMS the Go driver takes (500 ms, its
	// minHeartbeatFrequencyMS too) unless its connection string sets one, as the
	// Unified Test Format lets a runner do "to speed up SDAM recovery time and server
	// selection after a failure".
	FastHeartbeat bool
}

// fastHeartbeat is FastHeartbeat's heartbeatFrequencyMS.
const fastHeartbeat = 500 * time.Millisecond

// NewClient connects a client entity as the spec defines it; it refuses what
// Uncreatable refuses of a client, as Create does.
func NewClient(ctx context.Context, spec *specifications.ClientEntity, cfg ClientConfig) (*Client, error) {
	if r := Uncreatable(&specifications.Entity{Client: spec}); r != nil {
		return nil, r.Err()
	}
	uri, err := clientURI(cfg.URI, cfg.Deployment, spec.UseMultipleMongoses)
	if err != nil {
		return nil, err
	}
	if uri, err = withURIOptions(uri, spec.URIOptions); err != nil {
		return nil, err
	}
	if err := knownURIOptions(uri, spec.URIOptions); err != nil {
		return nil, err
	}
	c := &Client{ID: spec.ID, signal: newSignal()}
	c.events = &commandRecorder{
		observe:           map[CommandEventType]bool{},
		ignore:            map[string]bool{},
		sensitiveRequests: map[int64]bool{},
		observeSensitive:  spec.ObserveSensitiveCommands != nil && *spec.ObserveSensitiveCommands,
		commandTime:       cfg.CommandTime,
		signal:            c.signal,
	}
	c.monitor = newMonitorRecorder(c.signal)
	for _, name := range spec.ObserveEvents {
		switch t := CommandEventType(name); t {
		case CommandStarted, CommandSucceeded, CommandFailed:
			c.events.observe[t] = true
		default:
			c.monitor.observe[name] = true
		}
	}
	for _, name := range spec.IgnoreCommandMonitoringEvents {
		c.events.ignore[name] = true
	}
	if c.store = newEventStore(spec.StoreEventsAsEntities); c.store != nil {
		c.events.store, c.monitor.store = c.store.store, c.store.store
	}
	pools, servers := c.monitor.poolMonitor(), c.monitor.serverMonitor()
	if cfg.CommandTime != nil {
		pools = bothPools(pools, poolRoundTrips(cfg.CommandTime))
		servers = bothServers(servers, heartbeatRoundTrips(cfg.CommandTime))
	}
	if cfg.Trouble != nil {
		troublePools, troubleServers := TroubleMonitors(cfg.Trouble)
		pools, servers = bothPools(pools, troublePools), bothServers(servers, troubleServers)
	}
	opts := options.Client().ApplyURI(uri).SetMonitor(c.events.monitor()).SetPoolMonitor(pools).SetServerMonitor(servers)
	c.RetryReads = opts.RetryReads == nil || *opts.RetryReads
	c.IgnoredSocketTimeout = ignoredSocketTimeout(uri)
	if opts.AppName != nil {
		c.AppName = *opts.AppName
	}
	if cfg.FastHeartbeat && opts.HeartbeatInterval == nil {
		opts.SetHeartbeatInterval(fastHeartbeat)
	}
	if spec.ObserveLogMessages != nil {
		var logOpts *options.LoggerOptions
		c.logs, logOpts = newLogRecorder(spec.ObserveLogMessages, c.signal)
		opts.SetLoggerOptions(logOpts)
	}
	if spec.ServerAPI != nil {
		api := options.ServerAPI(options.ServerAPIVersion(spec.ServerAPI.Version))
		if spec.ServerAPI.Strict != nil {
			api.SetStrict(*spec.ServerAPI.Strict)
		}
		if spec.ServerAPI.DeprecationErrors != nil {
			api.SetDeprecationErrors(*spec.ServerAPI.DeprecationErrors)
		}
		opts.SetServerAPIOptions(api)
	}
	// awaitMinPoolSizeMS: the CMAP and SDAM listeners and the log collector ignore
	// what happens before the pools are populated.
	var minPool uint64
	if spec.AwaitMinPoolSizeMS != nil && opts.MinPoolSize != nil {
		minPool = *opts.MinPoolSize
	}
	c.pause(minPool > 0)
	if c.Client, err = mongo.Connect(opts); err != nil {
		return nil, err
	}
	c.Reads = Reads{Preference: opts.ReadPreference, Concern: opts.ReadConcern}
	c.Timeout = opts.Timeout
	if minPool > 0 {
		wait := time.Duration(*spec.AwaitMinPoolSizeMS) * time.Millisecond
		wctx, cancel := context.WithTimeout(ctx, wait)
		populated := c.monitor.waitPopulated(wctx, minPool)
		cancel()
		if !populated {
			_ = c.Client.Disconnect(ctx)
			return nil, result.Failedf("client %s: awaitMinPoolSizeMS: the connection pools did not reach minPoolSize %d within %s", spec.ID, minPool, wait)
		}
		c.pause(false)
	}
	return c, nil
}

// pause turns the CMAP and SDAM listeners and the log collector off or back on.
func (c *Client) pause(on bool) {
	c.monitor.mu.Lock()
	c.monitor.paused = on
	c.monitor.mu.Unlock()
	if c.logs != nil {
		c.logs.mu.Lock()
		c.logs.paused = on
		c.logs.mu.Unlock()
	}
}

// knownURIOptions refuses a uriOptions key that the Go driver does not know: it would
// ignore it silently, and the test would not run as written.
func knownURIOptions(uri string, uriOptions bson.Raw) error {
	if len(uriOptions) == 0 {
		return nil
	}
	cs, err := connstring.Parse(uri)
	if err != nil || len(cs.UnknownOptions) == 0 {
		return nil // a bad value is the driver's to report, when the client connects
	}
	elems, _ := uriOptions.Elements()
	for _, el := range elems {
		if _, unknown := cs.UnknownOptions[strings.ToLower(el.Key())]; unknown {
			return result.Unsupportedf("uriOptions.%s: the Go driver v2 has no such URI option", el.Key())
		}
	}
	return nil
}

// ignoredSocketTimeout is the socketTimeoutMS of the client's connection string where
// no timeoutMS overrides it (CSOT), 0 if none: the Go driver v2 parses it and has no
// socket timeout.
func ignoredSocketTimeout(uri string) time.Duration {
	cs, err := connstring.Parse(uri)
	if err != nil || cs.TimeoutSet {
		return 0
	}
	return cs.SocketTimeout
}

// withURIOptions applies a client entity's uriOptions to the run's connection string;
// URI option names are case-insensitive, and the test's value replaces the URI's.
func withURIOptions(uri string, uriOptions bson.Raw) (string, error) {
	if len(uriOptions) == 0 {
		return uri, nil
	}
	base, rawQuery, _ := strings.Cut(uri, "?")
	if scheme, rest, ok := strings.Cut(base, "://"); ok && !strings.Contains(rest, "/") {
		base = scheme + "://" + rest + "/"
	}
	query, err := url.ParseQuery(rawQuery)
	if err != nil {
		return "", fmt.Errorf("connection string options: %w", err)
	}
	elems, err := uriOptions.Elements()
	if err != nil {
		return "", err
	}
	for _, el := range elems {
		key := el.Key()
		for k := range query {
			if strings.EqualFold(k, key) {
				delete(query, k)
			}
		}
		values, err := uriOptionValues(key, el.Value())
		if err != nil {
			return "", err
		}
		query[key] = values
	}
	return base + "?" + query.Encode(), nil
}

func uriOptionValues(key string, v bson.RawValue) ([]string, error) {
	switch v.Type {
	case bson.TypeString:
		return []string{v.StringValue()}, nil
	case bson.TypeBoolean:
		return []string{strconv.FormatBool(v.Boolean())}, nil
	case bson.TypeInt32:
		return []string{strconv.FormatInt(int64(v.Int32()), 10)}, nil
	case bson.TypeInt64:
		return []string{strconv.FormatInt(v.Int64(), 10)}, nil
	case bson.TypeDouble:
		if f := v.Double(); f == math.Trunc(f) {
			return []string{strconv.FormatInt(int64(f), 10)}, nil
		}
		return []string{strconv.FormatFloat(v.Double(), 'f', -1, 64)}, nil
	case bson.TypeArray: // readPreferenceTags: one tag set per string
		var out []string
		vals, _ := v.Array().Values()
		for _, tv := range vals {
			s, ok := tv.StringValueOK()
			if !ok {
				return nil, fmt.Errorf("uriOptions.%s: expected strings, got %s", key, tv.Type)
			}
			out = append(out, s)
		}
		return out, nil
	case bson.TypeEmbeddedDocument: // authMechanismProperties: K:V pairs
		if v.Document().Lookup("$$placeholder").Type != 0 {
			return nil, result.Unsupportedf("uriOptions.%s is a $$placeholder for a value of the test environment, which specrun does not have", key)
		}
		var pairs []string
		elems, _ := v.Document().Elements()
		for _, el := range elems {
			vals, err := uriOptionValues(key+"."+el.Key(), el.Value())
			if err != nil {
				return nil, err
			}
			if len(vals) != 1 {
				return nil, fmt.Errorf("uriOptions.%s.%s: expected one value", key, el.Key())
			}
			pairs = append(pairs, el.Key()+":"+vals[0])
		}
		return []string{strings.Join(pairs, ",")}, nil
	}
	return nil, fmt.Errorf("uriOptions.%s: unexpected %s", key, v.Type)
}
