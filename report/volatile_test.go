package report

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestStable(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"nothing volatile", `expectResult: 0.x: expected int32 1, got int32 2`, `expectResult: 0.x: expected int32 1, got int32 2`},
		{"Go pointers", `support for field "let" with value &{map[id:1] [{0xa9844955500 y} {0xc000123456 rand}] false 0}`,
			`support for field "let" with value &{map[id:1] [{0x… y} {0x… rand}] false 0}`},
		{"a short hex constant is a value", `flags 0x1f, mask 0xffff`, `flags 0x1f, mask 0xffff`},
		{"loopback port", `connection to 127.0.0.1:41327 closed`, `connection to 127.0.0.1:… closed`},
		{"localhost port", `dial tcp localhost:27018: refused`, `dial tcp localhost:…: refused`},
		{"IPv6 port", `dial tcp [::1]:27018: refused`, `dial tcp [::1]:…: refused`},
		{"a named host's port stays", `db.example:27017 refused`, `db.example:27017 refused`},
		{"connection ids", `connectionId: 12; "connectionId":13; connection id 14; conn15; connection #16`,
			`connectionId: …; "connectionId":…; connection id …; conn…; connection #…`},
		{"a word that starts with conn", `connected 3 times`, `connected 3 times`},
		{"the Go driver's connection", `connection(localhost:27017[-7]) incomplete read`, `connection(localhost:…[-…]) incomplete read`},
		{"a bare connection number may be a count", `expected connection 3 to be checked out`, `expected connection 3 to be checked out`},
		{"times", `at 2026-12-04T12:39:10.123Z and 2026-12-04 12:39:10+01:00`, `at <time> and <time>`},
		{"a date alone stays", `expected date 2026-12-04`, `expected date 2026-12-04`},
		{"a date in test data stays", `expected {"$date":"2009-02-13T23:31:30Z"}, got {"$date": "2009-02-13T23:31:31Z"}`,
			`expected {"$date":"2009-02-13T23:31:30Z"}, got {"$date": "2009-02-13T23:31:31Z"}`},
		{"quoted strings in test data stay", `expected {"c": "conn1", "h": "10.0.0.1:27017"}, got {"c": "conn2"}`,
			`expected {"c": "conn1", "h": "10.0.0.1:27017"}, got {"c": "conn2"}`},
		{"a time inside a longer quoted message goes", `"errmsg": "at 2026-12-04T12:39:10Z on conn12"`, `"errmsg": "at <time> on conn…"`},
		{"already stable", `value 0x… at 127.0.0.1:… (connectionId: …) <time>`, `value 0x… at 127.0.0.1:… (connectionId: …) <time>`},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Stable(c.in)
			assert.Equal(t, c.want, got)
			assert.Equal(t, got, Stable(got), "Stable is a fixed point")
		})
	}
}

func TestSameReason(t *testing.T) {
	assert.True(t, SameReason(`value &{0xc000123456}`, `value &{0xc000999999}`))
	assert.True(t, SameReason(`value &{0x…}`, `value &{0xc000999999}`), "a stored stable reason matches a raw one")
	assert.False(t, SameReason(`value &{0xc000123456} x`, `value &{0xc000123456} y`))
	assert.False(t, SameReason(`code 238`, `code 239`))
	assert.False(t, SameReason(`expected {"$date":"2009-02-13T23:31:30Z"}`, `expected {"$date":"2009-02-13T23:31:31Z"}`),
		"a date in test data is not volatile")
	assert.False(t, SameReason(`got {"$date": "2009-02-13T23:31:30.000Z"}`, `got {"$date": "1970-01-01T00:00:00.000Z"}`))
	assert.False(t, SameReason(`got "conn1"`, `got "conn2"`))
}
