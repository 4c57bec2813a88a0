package interpreter_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/internal/wireproxy"
	"github.com/specrun/specrun/interpreter"
	"github.com/specrun/specrun/result"
)

// A legacy transactions-style test's failPoint is set after the data and before the
// test's operations, and turned off after them, through the same client. The embedded
// server has no configureFailPoint: a proxy in front of it answers that command itself
// and records, in order, the commands that matter here.
func TestLegacyFailPointOnAndOff(t *testing.T) {
	proxy := wireproxy.Start(t, serverAddr(t))
	proxy.On("configureFailPoint", wireproxy.Reply(bson.D{{Key: "ok", Value: 1.0}}))
	r := newRunner(t, interpreter.Config{URI: proxy.URI()})
	interpreter.PretendFailPoints(r)
	const fixture = `{"database_name": "failpoint-tests", "collection_name": "c", "data": [{"_id": 1}], "tests": [
	  {"description": "find", "failPoint": {"configureFailPoint": "failCommand", "mode": {"times": 1}, "data": {"failCommands": ["find"], "errorCode": 11600}},
	   "operations": [{"name": "find", "object": "collection", "arguments": {"filter": {}}, "result": [{"_id": 1}]}]}]}`
	f := loadText(t, "failpoint", fixture)
	proxy.Reset() // what the runner sent to probe the server
	res := r.RunTest(context.Background(), f, 0)
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
	if got := sent(proxy, "insert", "find", "configureFailPoint"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("commands sent:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// sent describes the commands of the proxy named, in order: name, a fail point's name
// and mode, and the connection each came on, numbered in the order they first appear.
func sent(p *wireproxy.Proxy, names ...string) []string {
	var out []string
	numbers := map[int]int{}
	for _, c := range p.Commands() {
		if !slices.Contains(names, c.Name) {
			continue
		}
		if _, ok := numbers[c.Conn]; !ok {
			numbers[c.Conn] = len(numbers)
		}
		s := c.Name
		if s == "configureFailPoint" {
			mode := c.Body.Lookup("mode")
			text, ok := mode.StringValueOK()
			if !ok {
				j, _ := bson.MarshalExtJSON(mode.Document(), false, false)
				text = string(j)
			}
			s += " " + c.Body.Lookup("configureFailPoint").StringValue() + " " + text
		}
		out = append(out, fmt.Sprintf("%s (connection %d)", s, numbers[c.Conn]))
	}
	return out
}

// serverAddr is the embedded server's host:port.
func serverAddr(t *testing.T) string {
	t.Helper()
	u, err := url.Parse(serverURI)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}
