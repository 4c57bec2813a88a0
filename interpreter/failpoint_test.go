package interpreter_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/interpreter"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// A legacy transactions-style test's failPoint is set after the data and before the
// test's operations, and turned off after them, through the same client. The embedded
// server has no configureFailPoint: a proxy in front of it answers that command itself
// and records, in order, the commands that matter here.
func TestLegacyFailPointOnAndOff(t *testing.T) {
	proxy := startFailPointProxy(t, "insert", "find", "configureFailPoint")
	r := newRunner(t, interpreter.Config{URI: proxy.uri})
	interpreter.PretendFailPoints(r)
	const fixture = `{"database_name": "failpoint-tests", "collection_name": "c", "data": [{"_id": 1}], "tests": [
	  {"description": "find", "failPoint": {"configureFailPoint": "failCommand", "mode": {"times": 1}, "data": {"failCommands": ["find"], "errorCode": 11600}},
	   "operations": [{"name": "find", "object": "collection", "arguments": {"filter": {}}, "result": [{"_id": 1}]}]}]}`
	path := filepath.Join(t.TempDir(), "failpoint.json")
	if err := os.WriteFile(path, []byte(fixture), 0o644); err != nil {
		t.Fatal(err)
	}
	lr := specifications.Load(specifications.Source{Path: path, ID: "failpoint"}, false)
	if lr.Kind != specifications.Loaded {
		t.Fatal(lr.Err)
	}
	proxy.reset() // what the runner sent to probe the server
	res := r.RunTest(context.Background(), lr.File, 0)
	// the proxy answered the fail point, which the server never saw: the find succeeds
	if res.Status != result.Pass {
		t.Fatalf("%s %q\n%s", res.Status, res.Reason, res.Detail)
	}
	// the data through the runner's client, the fail point through one that sends
	// nothing else, the operation through client0, the fail point off as it was set
	want := []string{
		"insert (connection 0)",
		`configureFailPoint failCommand {"times":1} (connection 1)`,
		"find (connection 2)",
		"configureFailPoint failCommand off (connection 1)",
	}
	if got := proxy.sent(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("commands sent:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// failPointProxy forwards the wire messages of its clients to the embedded server,
// except configureFailPoint, which it answers {ok: 1}. It records the commands it is
// told to watch, in order, with the connection each came on.
type failPointProxy struct {
	uri   string
	ln    net.Listener
	watch map[string]bool
	wg    sync.WaitGroup

	mu       sync.Mutex
	conns    map[net.Conn]int // client connection → its number
	commands []sentCommand
}

type sentCommand struct {
	conn int
	doc  bson.Raw
}

func startFailPointProxy(t *testing.T, watch ...string) *failPointProxy {
	t.Helper()
	u, err := url.Parse(serverURI)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &failPointProxy{ln: ln, watch: map[string]bool{}, conns: map[net.Conn]int{}}
	for _, w := range watch {
		p.watch[w] = true
	}
	upstream := u.Host
	u.Host = ln.Addr().String()
	p.uri = u.String()
	p.wg.Add(1)
	go p.serve(upstream)
	// after the runner's own cleanup (registered later, run first): no connection to
	// the server may outlive the tests
	t.Cleanup(p.close)
	return p
}

func (p *failPointProxy) serve(upstream string) {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		p.conns[c] = len(p.conns)
		p.mu.Unlock()
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer c.Close()
			if up, err := net.Dial("tcp", upstream); err == nil {
				defer up.Close()
				p.forward(c, up)
			}
		}()
	}
}

// forward passes each request on and its replies back, one exchange at a time, as the
// driver uses a connection.
func (p *failPointProxy) forward(c, up net.Conn) {
	for {
		msg, err := readMessage(c)
		if err != nil {
			return
		}
		cmd, isMsg := opMsgCommand(msg)
		if isMsg {
			p.record(c, cmd)
		}
		if isMsg && firstKey(cmd) == "configureFailPoint" {
			if _, err := c.Write(okReply(msg)); err != nil {
				return
			}
			continue
		}
		if _, err := up.Write(msg); err != nil {
			return
		}
		if isMsg && moreToCome(msg) {
			continue // no reply
		}
		for {
			reply, err := readMessage(up)
			if err != nil {
				return
			}
			if _, err := c.Write(reply); err != nil {
				return
			}
			if !moreToCome(reply) {
				break
			}
		}
	}
}

func (p *failPointProxy) record(c net.Conn, cmd bson.Raw) {
	if !p.watch[firstKey(cmd)] {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.commands = append(p.commands, sentCommand{conn: p.conns[c], doc: cmd})
}

func (p *failPointProxy) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.commands = nil
}

// sent describes the commands recorded: name, a fail point's name and mode, and the
// connection each came on, numbered in the order they first appear.
func (p *failPointProxy) sent() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	numbers := map[int]int{}
	for _, c := range p.commands {
		if _, ok := numbers[c.conn]; !ok {
			numbers[c.conn] = len(numbers)
		}
		s := firstKey(c.doc)
		if s == "configureFailPoint" {
			mode := c.doc.Lookup("mode")
			text, ok := mode.StringValueOK()
			if !ok {
				j, _ := bson.MarshalExtJSON(mode.Document(), false, false)
				text = string(j)
			}
			s += " " + c.doc.Lookup("configureFailPoint").StringValue() + " " + text
		}
		out = append(out, fmt.Sprintf("%s (connection %d)", s, numbers[c.conn]))
	}
	return out
}

func (p *failPointProxy) close() {
	_ = p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// The wire protocol: a message is a 16-byte header (length, requestID, responseTo,
// opCode, little-endian int32s) and a body; an OP_MSG (2013) body is flagBits and
// sections, the command the section of kind 0.
const opMsg = 2013

func readMessage(r io.Reader) ([]byte, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, err
	}
	n := int(binary.LittleEndian.Uint32(head[:]))
	if n < 16 {
		return nil, errors.New("short message")
	}
	msg := make([]byte, n)
	copy(msg, head[:])
	_, err := io.ReadFull(r, msg[4:])
	return msg, err
}

func opMsgCommand(msg []byte) (bson.Raw, bool) {
	if binary.LittleEndian.Uint32(msg[12:16]) != opMsg || len(msg) < 21 || msg[20] != 0 {
		return nil, false
	}
	doc := bson.Raw(msg[21:])
	if len(doc) < 4 || int(binary.LittleEndian.Uint32(doc)) > len(doc) {
		return nil, false
	}
	return doc[:binary.LittleEndian.Uint32(doc)], true
}

func moreToCome(msg []byte) bool {
	return binary.LittleEndian.Uint32(msg[12:16]) == opMsg && binary.LittleEndian.Uint32(msg[16:20])&2 != 0
}

func firstKey(doc bson.Raw) string {
	if e, err := doc.IndexErr(0); err == nil {
		return e.Key()
	}
	return ""
}

// okReply is an OP_MSG reply {ok: 1} to msg.
func okReply(msg []byte) []byte {
	body, err := bson.Marshal(bson.D{{Key: "ok", Value: 1.0}})
	if err != nil {
		panic(err)
	}
	out := binary.LittleEndian.AppendUint32(nil, uint32(16+4+1+len(body)))
	out = binary.LittleEndian.AppendUint32(out, 0)                                    // requestID
	out = binary.LittleEndian.AppendUint32(out, binary.LittleEndian.Uint32(msg[4:8])) // responseTo
	out = binary.LittleEndian.AppendUint32(out, opMsg)
	out = binary.LittleEndian.AppendUint32(out, 0) // flagBits
	out = append(out, 0)                           // section kind 0
	return append(out, body...)
}
