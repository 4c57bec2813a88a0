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
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/specrun/specrun/specifications"
)

// Client is a client entity: a driver client and the command events it observed.
type Client struct {
	ID     string
	Client *mongo.Client
	Reads  Reads // from the URI and uriOptions
	// Timeout is the client's timeoutMS (from the URI and uriOptions), nil if none.
	Timeout *time.Duration
	events  *commandRecorder
}

func (*Client) Kind() Kind { return KindClient }
func (c *Client) close(ctx context.Context) {
	_ = c.Client.Disconnect(ctx)
}

// CommandEvents returns a copy of the observed command events, in order.
func (c *Client) CommandEvents() []CommandEvent {
	c.events.mu.Lock()
	defer c.events.mu.Unlock()
	return append([]CommandEvent(nil), c.events.events...)
}

// NewObservedClient returns a client entity without a driver client that has observed
// events, in order: for tests of event assertions outside this package. Its Client is
// nil, so it must not be closed or used for operations.
func NewObservedClient(id string, events ...CommandEvent) *Client {
	return &Client{ID: id, events: &commandRecorder{events: events}}
}

// LastCommand returns the last command this client sent, observed or not, and the
// event that ended it (zero while it runs): the context of a failure report.
func (c *Client) LastCommand() (started, ended CommandEvent) {
	c.events.mu.Lock()
	defer c.events.mu.Unlock()
	return c.events.last, c.events.lastOutcome
}

// StopObserving turns the client's event listeners off: the spec has them disabled
// once a test's operations are done, before events are asserted.
func (c *Client) StopObserving() {
	c.events.mu.Lock()
	c.events.stopped = true
	c.events.mu.Unlock()
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

// Unsupported is returned when a test asks for something the Go driver (or specrun, as
// built) cannot express; the test is then reported as unsupported with this reason.
type Unsupported struct{ Reason string }

func (u *Unsupported) Error() string { return u.Reason }

// NotImplemented is a part of the spec that specrun does not run yet: the test is an
// error (specrun could not judge), not the server's or the driver's fault.
type NotImplemented struct{ What string }

func (n *NotImplemented) Error() string { return n.What + " is not implemented by specrun yet" }

// ClientConfig is what a client entity needs from the test run.
type ClientConfig struct {
	URI        string     // the connection string the run targets
	Deployment Deployment // what else decides a client's connection string
	// CommandTime, when set, accumulates the duration of every command the client
	// runs (round trips: the server's share of a test's time).
	CommandTime *atomic.Int64
}

// NewClient connects a client entity as the spec defines it.
func NewClient(ctx context.Context, spec *specifications.ClientEntity, cfg ClientConfig) (*Client, error) {
	switch {
	case spec.StoreEventsAsEntities != nil:
		return nil, &NotImplemented{"client storeEventsAsEntities"}
	case spec.ObserveLogMessages != nil:
		return nil, &NotImplemented{"client observeLogMessages"}
	case spec.AutoEncryptOpts != nil:
		return nil, &Unsupported{NoClientSideEncryption}
	case spec.ObserveTracingMessages != nil:
		return nil, &Unsupported{"observeTracingMessages: the Go driver has no tracing spans"}
	case spec.AwaitMinPoolSizeMS != nil:
		return nil, &NotImplemented{"client awaitMinPoolSizeMS"}
	}
	uri, err := clientURI(cfg.URI, cfg.Deployment, spec.UseMultipleMongoses)
	if err != nil {
		return nil, err
	}
	if uri, err = withURIOptions(uri, spec.URIOptions); err != nil {
		return nil, err
	}
	rec := &commandRecorder{
		observe:           map[CommandEventType]bool{},
		ignore:            map[string]bool{},
		sensitiveRequests: map[int64]bool{},
		observeSensitive:  spec.ObserveSensitiveCommands != nil && *spec.ObserveSensitiveCommands,
		commandTime:       cfg.CommandTime,
	}
	for _, name := range spec.ObserveEvents {
		switch t := CommandEventType(name); t {
		case CommandStarted, CommandSucceeded, CommandFailed:
			rec.observe[t] = true
		default:
			return nil, &NotImplemented{"observeEvents " + name}
		}
	}
	for _, name := range spec.IgnoreCommandMonitoringEvents {
		rec.ignore[name] = true
	}
	opts := options.Client().ApplyURI(uri).SetMonitor(rec.monitor())
	if cfg.CommandTime != nil {
		opts.SetPoolMonitor(poolRoundTrips(cfg.CommandTime)).SetServerMonitor(heartbeatRoundTrips(cfg.CommandTime))
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
	mc, err := mongo.Connect(opts)
	if err != nil {
		return nil, err
	}
	return &Client{ID: spec.ID, Client: mc, events: rec, Reads: Reads{Preference: opts.ReadPreference, Concern: opts.ReadConcern}, Timeout: opts.Timeout}, nil
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
			return nil, &Unsupported{fmt.Sprintf("uriOptions.%s is a $$placeholder for a value of the test environment, which specrun does not have", key)}
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
