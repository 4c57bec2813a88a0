// Package wireproxy is a fault-injecting MongoDB wire proxy for specrun's tests: it
// stands between a driver and a server, forwards what passes, records the commands it
// sees, and on chosen commands answers itself, rewrites the server's reply, never
// answers, answers garbage, drops the connection or dies as a killed server would.
//
// It reads requests one at a time per connection, as the driver uses a connection, and
// passes on every reply of an exchange, so the driver's handshake (an OP_QUERY isMaster
// on first contact, then OP_MSG) and its streaming hello (replies flagged moreToCome)
// go through. Compressed messages (a URI with compressors) are forwarded unread: their
// commands are neither recorded nor acted on.
package wireproxy

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Command is a request the proxy saw.
type Command struct {
	Name string   // the command's name, the first key of its document
	Body bson.Raw // the command as the server reads it (document sequences as arrays)
	Conn int      // the client connection it came on, numbered from 0 in accept order
}

// Action is what the proxy does with a request: see Forward, Reply, Rewrite, Hang,
// Garbage, Drop and Crash.
type Action struct {
	kind    actionKind
	reply   []byte
	rewrite func(bson.Raw) bson.Raw
	err     error
}

type actionKind int

const (
	forward actionKind = iota
	reply
	rewriteReply
	hang
	garbage
	drop
	crash
)

// Forward passes the request to the server and its replies back: what the proxy does
// with every command it has no other action for.
func Forward() Action { return Action{kind: forward} }

// Reply answers the request with doc; the server never sees it.
func Reply(doc bson.D) Action {
	b, err := bson.Marshal(doc)
	return Action{kind: reply, reply: b, err: err}
}

// Rewrite forwards the request and passes each reply of the server through fn, whose
// result is sent as the reply's document as it is (it need not be valid BSON).
func Rewrite(fn func(reply bson.Raw) bson.Raw) Action {
	return Action{kind: rewriteReply, rewrite: fn}
}

// Hang never answers the request nor anything after it on that connection, which stays
// open until the client or the proxy closes it.
func Hang() Action { return Action{kind: hang} }

// Garbage answers bytes that are not a wire message (their first four, read as a
// message length, are far too large), then nothing more; the connection stays open.
func Garbage() Action { return Action{kind: garbage} }

// Drop closes the request's connection without an answer.
func Drop() Action { return Action{kind: drop} }

// Crash, as a killed server: the request gets no answer, every connection is closed
// and new ones are refused.
func Crash() Action { return Action{kind: crash} }

// garbageBytes start with "garb", read as a message length 1.65 GB.
var garbageBytes = []byte("garbage: this is not a MongoDB wire message\n")

// Proxy is a running proxy. Its methods but On may be called from any goroutine.
type Proxy struct {
	t        testing.TB
	upstream string
	ln       net.Listener
	ctx      context.Context // ends with Close or Crash: dials to the server stop
	stop     context.CancelFunc
	wg       sync.WaitGroup // the accept loop and one goroutine per connection

	mu       sync.Mutex
	actions  map[string]Action
	commands []Command
	open     map[net.Conn]bool // every connection, to clients and to the server
	frozen   bool              // HangAll
	closed   bool              // Close or Crash
}

// Start listens on 127.0.0.1:0 and forwards every connection to upstream (host:port).
// t's cleanup closes the proxy.
func Start(t testing.TB, upstream string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	p := &Proxy{t: t, upstream: upstream, ln: ln, ctx: ctx, stop: stop,
		actions: map[string]Action{}, open: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.Close)
	return p
}

// Addr is the address the proxy listens on, host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// URI is the connection string of the proxy, mongodb://127.0.0.1:PORT/.
func (p *Proxy) URI() string { return "mongodb://" + p.Addr() + "/" }

// On sets what happens to the requests whose command is name; the last call wins. A
// Reply whose document does not marshal fails the test there: call On from the test's
// goroutine.
func (p *Proxy) On(name string, a Action) {
	p.t.Helper()
	if a.err != nil {
		p.t.Fatalf("wireproxy: On(%q): %v", name, a.err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.actions[name] = a
}

// Commands are the requests seen, in order.
func (p *Proxy) Commands() []Command {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Command(nil), p.commands...)
}

// Reset forgets the requests seen.
func (p *Proxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.commands = nil
}

// HangAll freezes the proxy as a hung server: from now on it accepts connections and
// answers nothing on any of them, not even replies the server has yet to send.
func (p *Proxy) HangAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.frozen = true
}

// Close stops the proxy: it closes the listener and every connection and returns when
// every goroutine of the proxy has. It may be called more than once.
func (p *Proxy) Close() {
	p.shut()
	p.wg.Wait()
}

// shut closes the listener and every connection, without waiting: what Crash does
// from within a connection's goroutine.
func (p *Proxy) shut() {
	p.stop()
	_ = p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for c := range p.open {
		_ = c.Close()
	}
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for n := 0; ; n++ {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if !p.track(c) {
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer p.untrack(c)
			p.serve(c, n)
		}()
	}
}

// track registers a connection for Close to close; one opened after Close or Crash is
// closed at once (false).
func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		_ = c.Close()
		return false
	}
	p.open[c] = true
	return true
}

func (p *Proxy) untrack(c net.Conn) {
	_ = c.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.open, c)
}

// outcome is how a connection goes on after a request.
type outcome int

const (
	next   outcome = iota // read the next request
	hangUp                // close the connection
	deaf                  // hold it open and answer nothing more
)

// serve runs client connection number n.
func (p *Proxy) serve(c net.Conn, n int) {
	var up net.Conn // the server, dialled for the first request to forward
	defer func() {
		if up != nil {
			p.untrack(up)
		}
	}()
	for {
		req, err := readMessage(c)
		if err != nil {
			return
		}
		a := p.see(req, n)
		if (a.kind == forward || a.kind == rewriteReply) && up == nil {
			if up, err = p.dial(); err != nil {
				return
			}
		}
		switch p.do(a, req, c, up) {
		case hangUp:
			return
		case deaf:
			if up != nil {
				p.untrack(up)
				up = nil
			}
			_, _ = io.Copy(io.Discard, c) // until the client or Close closes c
			return
		}
	}
}

// do carries out a on request req of client connection c, whose server connection is up.
func (p *Proxy) do(a Action, req message, c, up net.Conn) outcome {
	switch a.kind {
	case forward, rewriteReply:
		return p.exchange(c, up, req, a.rewrite)
	case reply:
		if !req.moreToCome {
			if _, err := c.Write(replyTo(req, a.reply)); err != nil {
				return hangUp
			}
		}
		return next
	case garbage:
		if _, err := c.Write(garbageBytes); err != nil {
			return hangUp
		}
		return deaf
	case drop:
		return hangUp
	case crash:
		p.shut()
		return hangUp
	}
	return deaf // hang
}

// see records a request and says what to do with it.
func (p *Proxy) see(req message, conn int) Action {
	p.mu.Lock()
	defer p.mu.Unlock()
	var cmd string
	if req.command != nil {
		cmd = name(req.command)
		p.commands = append(p.commands, Command{Name: cmd, Body: req.command, Conn: conn})
	}
	if p.frozen {
		return Hang()
	}
	if a, ok := p.actions[cmd]; ok && req.command != nil {
		return a
	}
	return Forward()
}

func (p *Proxy) dial() (net.Conn, error) {
	var d net.Dialer
	up, err := d.DialContext(p.ctx, "tcp", p.upstream)
	if err != nil {
		return nil, err
	}
	if !p.track(up) {
		return nil, errors.New("wireproxy: closed")
	}
	return up, nil
}

// exchange sends req to the server and passes its replies back, each through fn when
// fn is not nil: one reply or, while they say more are to come, all of them (a
// streaming hello). Once the proxy is frozen, a reply is not passed on.
func (p *Proxy) exchange(c, up net.Conn, req message, fn func(bson.Raw) bson.Raw) outcome {
	if _, err := up.Write(req.raw); err != nil {
		return hangUp
	}
	if req.moreToCome {
		return next
	}
	for {
		rep, err := readMessage(up)
		if err != nil {
			return hangUp
		}
		if p.isFrozen() {
			return deaf
		}
		out := rep.raw
		if fn != nil {
			if out, err = rewrite(rep, fn); err != nil {
				p.t.Errorf("wireproxy: cannot rewrite the reply to %s: %v", name(req.command), err)
				return hangUp
			}
		}
		if _, err := c.Write(out); err != nil {
			return hangUp
		}
		if !rep.moreToCome {
			return next
		}
	}
}

func (p *Proxy) isFrozen() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.frozen
}
