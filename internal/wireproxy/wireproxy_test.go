package wireproxy_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/specrun/specrun/embedded"
	"github.com/specrun/specrun/internal/wireproxy"
)

// The tests put the proxy between a driver client and one embedded server per test
// binary, or a scripted server where the embedded one cannot show what is tested.

var serverAddr string

func TestMain(m *testing.M) {
	srv, err := embedded.Start(context.Background(), embedded.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	serverAddr = srv.Addr()
	code := m.Run()
	if err := srv.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}

// connect is a client of the proxy, disconnected at the end of the test.
func connect(t *testing.T, p *wireproxy.Proxy) *mongo.Client {
	t.Helper()
	c, err := mongo.Connect(options.Client().ApplyURI(p.URI()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c
}

func run(ctx context.Context, c *mongo.Client, cmd string) (bson.Raw, error) {
	return c.Database("admin").RunCommand(ctx, bson.D{{Key: cmd, Value: 1}}).Raw()
}

// set is doc with key set to value (added at the end when absent).
func set(doc bson.Raw, key string, value any) bson.Raw {
	var d bson.D
	if err := bson.Unmarshal(doc, &d); err != nil {
		panic(err)
	}
	found := false
	for i := range d {
		if d[i].Key == key {
			d[i].Value, found = value, true
		}
	}
	if !found {
		d = append(d, bson.E{Key: key, Value: value})
	}
	out, err := bson.Marshal(d)
	if err != nil {
		panic(err)
	}
	return out
}

// closeWithin closes p and fails the test if that takes longer than a connection
// held by the proxy could make it.
func closeWithin(t *testing.T, p *wireproxy.Proxy) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		p.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close has not returned after 5s: a goroutine of the proxy is blocked")
	}
}

func TestActions(t *testing.T) {
	tooOld := func(reply bson.Raw) bson.Raw { return set(reply, "maxWireVersion", int32(6)) }
	tests := []struct {
		name    string
		command string // sent with RunCommand, a deadline of 1s
		on      string
		action  wireproxy.Action
		check   func(reply bson.Raw, err error) string // what is wrong, or ""
		alive   bool                                   // the proxy serves new requests after
	}{
		{"Reply answers for the server, which does not know the command", "specrunNoSuchCommand", "specrunNoSuchCommand",
			wireproxy.Reply(bson.D{{Key: "ok", Value: 1.0}, {Key: "answeredBy", Value: "wireproxy"}}),
			func(reply bson.Raw, err error) string {
				if s, _ := reply.Lookup("answeredBy").StringValueOK(); err != nil || s != "wireproxy" {
					return fmt.Sprintf("reply %s, error %v; want answeredBy: wireproxy", reply, err)
				}
				return ""
			}, true},
		{"Reply answers the OP_QUERY handshake with an OP_REPLY", "ping", "isMaster",
			wireproxy.Reply(bson.D{{Key: "ok", Value: 1.0}, {Key: "isWritablePrimary", Value: true}, {Key: "minWireVersion", Value: 0}, {Key: "maxWireVersion", Value: 6}}),
			wantError("reports wire version 6"), true},
		{"Rewrite changes the server's reply", "buildInfo", "buildInfo",
			wireproxy.Rewrite(func(reply bson.Raw) bson.Raw { return set(reply, "version", "99.1.2") }),
			func(reply bson.Raw, err error) string {
				if v, _ := reply.Lookup("version").StringValueOK(); err != nil || v != "99.1.2" {
					return fmt.Sprintf("reply %s, error %v; want version 99.1.2", reply, err)
				}
				return ""
			}, true},
		{"Rewrite changes the server's OP_REPLY to the handshake", "ping", "isMaster", wireproxy.Rewrite(tooOld),
			wantError("reports wire version 6"), true},
		{"Hang: the command times out", "ping", "ping", wireproxy.Hang(),
			func(_ bson.Raw, err error) string {
				if !mongo.IsTimeout(err) {
					return fmt.Sprintf("error %v, want a timeout", err)
				}
				return ""
			}, true},
		{"Garbage: a network error", "ping", "ping", wireproxy.Garbage(), wantNetworkError, true},
		{"Drop: a network error", "ping", "ping", wireproxy.Drop(), wantNetworkError, true},
		{"Crash: a network error, and no server after", "ping", "ping", wireproxy.Crash(), wantNetworkError, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := wireproxy.Start(t, serverAddr)
			p.On(tt.on, tt.action)
			// what does not hang answers at once: the deadline matters only to Hang
			ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
			defer cancel()
			reply, err := run(ctx, connect(t, p), tt.command)
			if why := tt.check(reply, err); why != "" {
				t.Error(why)
			}
			if !seen(p, tt.on) {
				t.Errorf("the proxy did not record %s: %v", tt.on, p.Commands())
			}
			// a new client: the first one may hold what it learned from the handshake
			p.On(tt.on, wireproxy.Forward())
			ctx, cancel = context.WithTimeout(context.Background(), 250*time.Millisecond)
			defer cancel()
			_, err = run(ctx, connect(t, p), "buildInfo")
			if tt.alive && err != nil {
				t.Errorf("after: buildInfo: %v", err)
			}
			if !tt.alive {
				if err == nil {
					t.Error("after: buildInfo succeeded")
				}
				if conn, err := net.Dial("tcp", p.Addr()); err == nil {
					conn.Close()
					t.Error("after: the proxy accepted a connection")
				}
			}
			closeWithin(t, p)
		})
	}
}

// HangAll freezes the proxy: what was answered is not any more, a new client connects
// but is never answered, and what is sent then never reaches the server.
func TestHangAll(t *testing.T) {
	p := wireproxy.Start(t, serverAddr)
	c := connect(t, p)
	coll := c.Database("wireproxy").Collection("hangall")
	if _, err := coll.InsertOne(context.Background(), bson.D{{Key: "_id", Value: 1}}); err != nil {
		t.Fatal(err)
	}
	p.HangAll()
	ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
	defer cancel()
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: 2}}); !mongo.IsTimeout(err) {
		t.Errorf("insert: error %v, want a timeout", err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 250*time.Millisecond)
	defer cancel()
	if _, err := run(ctx, connect(t, p), "ping"); !mongo.IsTimeout(err) {
		t.Errorf("a new client's ping: error %v, want a timeout", err)
	}
	closeWithin(t, p)
	direct, err := mongo.Connect(options.Client().ApplyURI("mongodb://" + serverAddr + "/"))
	if err != nil {
		t.Fatal(err)
	}
	defer direct.Disconnect(context.Background())
	var ids []bson.D
	cur, err := direct.Database("wireproxy").Collection("hangall").Find(context.Background(), bson.D{})
	if err == nil {
		err = cur.All(context.Background(), &ids)
	}
	if err != nil || len(ids) != 1 {
		t.Errorf("the server has %v (%v), want only the document inserted before HangAll", ids, err)
	}
	_ = direct.Database("wireproxy").Drop(context.Background())
}

func wantError(part string) func(bson.Raw, error) string {
	return func(_ bson.Raw, err error) string {
		if err == nil || !strings.Contains(err.Error(), part) {
			return fmt.Sprintf("error %v, want one saying %q", err, part)
		}
		return ""
	}
}

func wantNetworkError(_ bson.Raw, err error) string {
	if !mongo.IsNetworkError(err) {
		return fmt.Sprintf("error %v, want a network error", err)
	}
	return ""
}

func seen(p *wireproxy.Proxy, name string) bool {
	for _, c := range p.Commands() {
		if c.Name == name {
			return true
		}
	}
	return false
}

// The driver's handshake goes through: every connection opens with the legacy OP_QUERY
// isMaster, then speaks OP_MSG. Commands numbers connections in accept order and Reset
// forgets what was seen.
func TestCommandsThroughTheHandshake(t *testing.T) {
	p := wireproxy.Start(t, serverAddr)
	c := connect(t, p)
	if _, err := run(context.Background(), c, "ping"); err != nil {
		t.Fatal(err)
	}
	first := map[int]string{}
	var pings []int
	for _, cmd := range p.Commands() {
		if _, ok := first[cmd.Conn]; !ok {
			first[cmd.Conn] = cmd.Name
		}
		if cmd.Name == "ping" {
			pings = append(pings, cmd.Conn)
			if db, _ := cmd.Body.Lookup("$db").StringValueOK(); db != "admin" {
				t.Errorf("ping's body %s has no $db admin", cmd.Body)
			}
		}
	}
	// the monitor's connection and the pool's
	if len(first) != 2 || first[0] != "isMaster" || first[1] != "isMaster" {
		t.Errorf("first command of each connection: %v, want isMaster on connections 0 and 1", first)
	}
	if len(pings) != 1 || pings[0] != 1 {
		t.Errorf("ping on connections %v, want [1]", pings)
	}
	p.Reset()
	if got := p.Commands(); len(got) != 0 {
		t.Errorf("after Reset: %v", got)
	}
	if _, err := c.Database("db").Collection("c").InsertMany(context.Background(), []any{bson.D{{Key: "_id", Value: 1}}, bson.D{{Key: "_id", Value: 2}}}); err != nil {
		t.Fatal(err)
	}
	_ = c.Database("db").Drop(context.Background())
	// the documents come in a document sequence; the body has them as an array
	for _, cmd := range p.Commands() {
		if cmd.Name == "insert" {
			docs, _ := cmd.Body.Lookup("documents").ArrayOK()
			if vals, _ := docs.Values(); len(vals) != 2 {
				t.Errorf("insert's body %s: want documents with 2 documents", cmd.Body)
			}
			return
		}
	}
	t.Errorf("no insert among %v", p.Commands())
}
