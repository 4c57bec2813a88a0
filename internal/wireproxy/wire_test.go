package wireproxy

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/wiremessage"
)

// These tests speak the wire protocol themselves, to a scripted server, where the
// embedded server cannot show what is tested: a streaming hello, and a proxy that
// answers nothing until it is closed.

// scripted is a server that runs fn on each connection it accepts, until the test ends.
func scripted(t *testing.T, fn func(c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				fn(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
	})
	return ln.Addr().String()
}

func marshal(t testing.TB, doc bson.D) []byte {
	t.Helper()
	b, err := bson.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// answerAll answers every request {ok: 1}, as a server that is well.
func answerAll(c net.Conn) {
	ok, _ := bson.Marshal(bson.D{{Key: "ok", Value: 1.0}})
	for {
		req, err := readMessage(c)
		if err != nil {
			return
		}
		if _, err := c.Write(replyTo(req, ok)); err != nil {
			return
		}
	}
}

// A streaming hello: the driver's monitor sends hello with exhaustAllowed, and the
// server answers with replies flagged moreToCome, each responding to the one before,
// until one without the flag; then the connection carries requests again.
func TestStreamingHello(t *testing.T) {
	upstream := scripted(t, func(c net.Conn) {
		req, err := readMessage(c)
		if err != nil {
			return
		}
		respondTo := req.requestID
		for n := 1; n <= 3; n++ {
			flags := wiremessage.MoreToCome
			if n == 3 {
				flags = 0
			}
			doc, _ := bson.Marshal(bson.D{{Key: "n", Value: n}, {Key: "ok", Value: 1.0}})
			reply := opMsg(respondTo, flags, doc)
			_, respondTo, _, _, _, _ = wiremessage.ReadHeader(reply)
			if _, err := c.Write(reply); err != nil {
				return
			}
		}
		answerAll(c)
	})
	mark := func(reply bson.Raw) bson.Raw {
		var d bson.D
		if err := bson.Unmarshal(reply, &d); err != nil {
			t.Error(err)
		}
		return marshal(t, append(d, bson.E{Key: "marked", Value: true}))
	}
	for _, tt := range []struct {
		name   string
		action Action
		marked bool
	}{
		{"forwarded", Forward(), false},
		{"rewritten", Rewrite(mark), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := Start(t, upstream)
			p.On("hello", tt.action)
			c, err := net.Dial("tcp", p.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			hello := opMsg(0, wiremessage.ExhaustAllowed, marshal(t, bson.D{{Key: "hello", Value: 1}, {Key: "$db", Value: "admin"}}))
			if _, err := c.Write(hello); err != nil {
				t.Fatal(err)
			}
			respondTo := int32(0)
			for n := 1; n <= 3; n++ {
				rep, err := readMessage(c)
				if err != nil {
					t.Fatalf("reply %d: %v", n, err)
				}
				_, _, responseTo, _, _, _ := wiremessage.ReadHeader(rep.raw)
				doc := replyDoc(t, rep)
				if got, _ := doc.Lookup("n").Int32OK(); got != int32(n) || rep.moreToCome != (n < 3) {
					t.Errorf("reply %d: %s, moreToCome %v", n, doc, rep.moreToCome)
				}
				if _, ok := doc.Lookup("marked").BooleanOK(); ok != tt.marked {
					t.Errorf("reply %d: %s: marked %v, want %v", n, doc, ok, tt.marked)
				}
				if n > 1 && responseTo != respondTo {
					t.Errorf("reply %d responds to %d, want the reply before, %d", n, responseTo, respondTo)
				}
				respondTo = rep.requestID
			}
			ping := opMsg(0, 0, marshal(t, bson.D{{Key: "ping", Value: 1}, {Key: "$db", Value: "admin"}}))
			if _, err := c.Write(ping); err != nil {
				t.Fatal(err)
			}
			rep, err := readMessage(c)
			if err != nil {
				t.Fatalf("ping after the stream: %v", err)
			}
			if ok, _ := replyDoc(t, rep).Lookup("ok").DoubleOK(); ok != 1 {
				t.Errorf("ping after the stream: %s", replyDoc(t, rep))
			}
		})
	}
}

func replyDoc(t *testing.T, m message) bson.Raw {
	t.Helper()
	var doc bson.Raw
	if _, err := rewrite(m, func(r bson.Raw) bson.Raw { doc = r; return r }); err != nil {
		t.Fatal(err)
	}
	return doc
}

// Hang, HangAll and Garbage hold the connection open and answer nothing (more) until
// the proxy is closed; Close does not wait for the clients to go.
func TestDeafUntilClose(t *testing.T) {
	upstream := scripted(t, answerAll)
	for _, tt := range []struct {
		name  string
		setup func(p *Proxy)
		fresh bool   // the setup comes before the connection, not after a first ping
		want  []byte // what the client reads before Close ends the connection
	}{
		{"Hang", func(p *Proxy) { p.On("ping", Hang()) }, false, nil},
		{"HangAll", func(p *Proxy) { p.HangAll() }, false, nil},
		{"HangAll, a new connection", func(p *Proxy) { p.HangAll() }, true, nil},
		{"Garbage", func(p *Proxy) { p.On("ping", Garbage()) }, false, garbageBytes},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := Start(t, upstream)
			if tt.fresh {
				tt.setup(p)
			}
			c, err := net.Dial("tcp", p.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			ping := opMsg(0, 0, marshal(t, bson.D{{Key: "ping", Value: 1}, {Key: "$db", Value: "admin"}}))
			if !tt.fresh { // the connection works, then the fault
				if _, err := c.Write(ping); err != nil {
					t.Fatal(err)
				}
				if _, err := readMessage(c); err != nil {
					t.Fatal(err)
				}
				tt.setup(p)
			}
			if _, err := c.Write(ping); err != nil {
				t.Fatal(err)
			}
			// silence: the read ends at its deadline, not at the end of the connection
			_ = c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
			before, err := io.ReadAll(c)
			if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
				t.Fatalf("before Close: read %q, then %v; want a timeout", before, err)
			}
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
			p.Close()
			after, err := io.ReadAll(c) // until the proxy's end of the connection
			if err != nil {
				t.Fatalf("after Close: %v", err)
			}
			if got := append(before, after...); !bytes.Equal(got, tt.want) {
				t.Errorf("read %q, want %q", got, tt.want)
			}
			want := 2
			if tt.fresh {
				want = 1
			}
			if n := len(p.Commands()); n != want {
				t.Errorf("%d commands recorded, want %d: %v", n, want, p.Commands())
			}
		})
	}
}

// Crash ends every connection, not only the one whose request crashed the proxy, and
// the proxy accepts no connection after.
func TestCrashClosesEveryConnection(t *testing.T) {
	p := Start(t, scripted(t, answerAll))
	ping := opMsg(0, 0, marshal(t, bson.D{{Key: "ping", Value: 1}, {Key: "$db", Value: "admin"}}))
	var conns []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", p.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Write(ping); err != nil {
			t.Fatal(err)
		}
		if _, err := readMessage(c); err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	p.On("ping", Crash())
	if _, err := conns[1].Write(ping); err != nil {
		t.Fatal(err)
	}
	for i, c := range conns {
		if b, err := io.ReadAll(c); err != nil || len(b) != 0 {
			t.Errorf("connection %d: read %q, %v; want the end of the connection", i, b, err)
		}
	}
	if c, err := net.Dial("tcp", p.Addr()); err == nil {
		c.Close()
		t.Error("the proxy accepted a connection after Crash")
	}
}

// FuzzReadMessage: whatever a client sends, reading it never panics, and a command
// read is a valid document.
func FuzzReadMessage(f *testing.F) {
	ping := marshal(f, bson.D{{Key: "ping", Value: 1}, {Key: "$db", Value: "admin"}})
	f.Add(opMsg(0, 0, ping))
	f.Add(opMsg(0, wiremessage.ChecksumPresent, append(append([]byte{}, ping...), 1, 2, 3, 4)))
	f.Add(append(opMsg(0, 0, ping), 1, 0, 0, 0, 0)) // a document sequence cut short
	f.Add(opReply(0, 0, ping))
	f.Add(opMsg(0, 0, []byte{4, 0, 0, 0})) // a document too short to hold its end
	idx, query := wiremessage.AppendHeaderStart(nil, 1, 0, opQuery)
	query = append(query, 0, 0, 0, 0) // flags
	query = append(append(query, "admin.$cmd\x00"...), 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff)
	query = append(query, ping...)
	f.Add(bsoncore.UpdateLength(query, idx, int32(len(query))))
	f.Add([]byte{20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xdd, 7, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := readMessage(bytes.NewReader(b))
		if err == nil && m.command != nil {
			if err := m.command.Validate(); err != nil {
				t.Errorf("command %x: %v", []byte(m.command), err)
			}
		}
	})
}
