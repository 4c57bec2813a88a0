package report

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/specrun/specrun/result"
)

func TestRedactURI(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"user and password", "mongodb://alice:s3cret@127.0.0.1:27017/", "mongodb://127.0.0.1:27017/"},
		{"user only", "mongodb://alice@localhost/", "mongodb://localhost/"},
		{"no credentials", "mongodb://127.0.0.1:40123/", "mongodb://127.0.0.1:40123/"},
		{"no path", "mongodb://localhost", "mongodb://localhost"},
		{"srv", "mongodb+srv://alice:s3cret@cluster0.example.net/test?retryWrites=true&w=majority",
			"mongodb+srv://cluster0.example.net/test?retryWrites=true&w=majority"},
		{"multiple hosts", "mongodb://alice:s3cret@h1:27017,h2:27018,h3/db?replicaSet=rs0",
			"mongodb://h1:27017,h2:27018,h3/db?replicaSet=rs0"},
		{"options kept", "mongodb://u:p@host/?authSource=admin&authMechanism=SCRAM-SHA-256&appName=specrun",
			"mongodb://host/?authSource=admin&authMechanism=SCRAM-SHA-256&appName=specrun"},
		{"escaped characters in password", "mongodb://u%40x:p%2F%3Aw@host/", "mongodb://host/"},
		{"unescaped @ in password", "mongodb://u:p@ss@host/db", "mongodb://host/db"},
		{"unescaped / in password", "mongodb://u:pa/ss@host/db", "mongodb://host/db"},
		{"@ in an option value is not user information", "mongodb://u:p@host/db?appName=me@box",
			"mongodb://host/db?appName=me@box"},
		{"tls key password", "mongodb://host/?tls=true&tlsCertificateKeyFilePassword=hunter2&w=1",
			"mongodb://host/?tls=true&tlsCertificateKeyFilePassword=REDACTED&w=1"},
		{"ssl key password, any case", "mongodb://host/?SSLClientCertificateKeyPassword=hunter2",
			"mongodb://host/?SSLClientCertificateKeyPassword=REDACTED"},
		{"aws session token", "mongodb://AKIA:secret@host/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:tok",
			"mongodb://host/?authMechanism=MONGODB-AWS&authMechanismProperties=REDACTED"},
		{"escaped aws session token", "mongodb://host/?authMechanismProperties=AWS_SESSION_TOKEN%3Atok",
			"mongodb://host/?authMechanismProperties=REDACTED"},
		{"harmless mechanism properties kept", "mongodb://host/?authMechanismProperties=SERVICE_NAME:mongodb",
			"mongodb://host/?authMechanismProperties=SERVICE_NAME:mongodb"},
		{"semicolon separator", "mongodb://host/?w=1;tlsCertificateKeyFilePassword=x;appName=a",
			"mongodb://host/?w=1;tlsCertificateKeyFilePassword=REDACTED;appName=a"},
		{"other scheme", "http://u:p@example.com/x", "http://example.com/x"},
		{"not a URI", "127.0.0.1:27017", "127.0.0.1:27017"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RedactURI(tt.in); got != tt.want {
				t.Errorf("RedactURI(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRedactor(t *testing.T) {
	r := NewRedactor("mongodb://alice:s3cr%40tPass@db1:27017,db2/admin?authSource=admin", "", "mongodb://bob:ab@h/", "mongodb://h:1/")
	tests := []struct{ in, want string }{
		{"connect mongodb://alice:s3cr%40tPass@db1:27017,db2/admin?authSource=admin failed",
			"connect mongodb://db1:27017,db2/admin?authSource=admin failed"},
		{"auth failed for password s3cr@tPass", "auth failed for password REDACTED"},
		{"escaped s3cr%40tPass", "escaped REDACTED"},
		{"other uri mongodb+srv://carol:x@cluster/ in a reply", "other uri mongodb+srv://cluster/ in a reply"},
		{"short password ab stays outside URIs: abc", "short password ab stays outside URIs: abc"},
		{"but not inside one: mongodb://bob:ab@h/", "but not inside one: mongodb://h/"},
		{`{"uri": "mongodb://u:p@h:1/?tlsCertificateKeyFilePassword=k"}`, `{"uri": "mongodb://h:1/?tlsCertificateKeyFilePassword=REDACTED"}`},
		{"nothing secret", "nothing secret"},
	}
	for _, tc := range tests {
		if got := r.String(tc.in); got != tc.want {
			t.Errorf("String(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	var b strings.Builder
	w := r.Writer(&b)
	if n, err := w.Write([]byte("pw s3cr@tPass\n")); err != nil || n != 14 {
		t.Errorf("Write = %d, %v", n, err)
	}
	if b.String() != "pw REDACTED\n" {
		t.Errorf("written %q", b.String())
	}
	run := &Run{Server: ServerInfo{URI: "mongodb://alice:s3cr%40tPass@db1/"},
		Tests: []result.Test{{Reason: "s3cr@tPass", Detail: "x mongodb://alice:s3cr%40tPass@db1/"}}, Partial: &Partial{Reason: "s3cr@tPass"}}
	r.Run(run)
	if run.Server.URI != "mongodb://db1/" || run.Tests[0].Reason != "REDACTED" || run.Tests[0].Detail != "x mongodb://db1/" || run.Partial.Reason != "REDACTED" {
		t.Errorf("Run: %+v", run)
	}
}

// hostileURIs are connection strings as a user may give them, mistyped ones included,
// each with the secrets that must never be shown, in the text that quotes them as
// the driver, the server or specrun may.
var hostileURIs = []struct {
	name, uri string
	secrets   []string
}{
	{"one slash after the scheme", "mongodb:/user:Pa55word@host", []string{"Pa55word"}},
	{"no scheme", "user:Pa55word@host", []string{"Pa55word"}},
	{"no slash after the scheme", "mongodb:user:Pa55word@host", []string{"Pa55word"}},
	{"three slashes", "mongodb:///user:Pa55word@host/", []string{"Pa55word"}},
	{"unescaped @ in the password", "mongodb://user:Pa@55word@host/?x=1", []string{"Pa@55word"}},
	{"bad escape in the password", "mongodb://user:Pa55%zzword@host/", []string{"Pa55%zzword"}},
	{"escaped password", "mongodb://user:Pa55%40word@host/", []string{"Pa55%40word", "Pa55@word"}},
	{"short password", "mongodb:/u:pw@host", []string{"u:pw@"}},
	{"tls key password with a bad escape", "mongodb://host/?tls=true&tlsCertificateKeyFilePassword=ke%zzySecret", []string{"ke%zzySecret"}},
	{"escaped tls key password", "mongodb://host/?tlsCertificateKeyFilePassword=Key%2FSecret", []string{"Key%2FSecret", "Key/Secret"}},
	{"ssl key password, other case", "mongodb://host/?SSLCLIENTCERTIFICATEKEYPASSWORD=SslSecret1", []string{"SslSecret1"}},
	{"proxy password", "mongodb://host/?proxyHost=p&proxyUsername=u&proxyPassword=Pr0xySecret", []string{"Pr0xySecret"}},
	{"aws session token with a bad escape", "mongodb://AKIAEXAMPLE:AwsSecret1@host/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:tok%zzSecret",
		[]string{"AwsSecret1", "tok%zzSecret"}},
	{"escaped aws session token", "mongodb://host/?authMechanismProperties=AWS_SESSION_TOKEN%3ATok%2BSecret",
		[]string{"Tok%2BSecret", "Tok+Secret", "AWS_SESSION_TOKEN%3ATok%2BSecret"}},
	{"aws session token among other properties", "mongodb://host/?authMechanismProperties=SERVICE_NAME:x,AWS_SESSION_TOKEN:T0kenValue", []string{"T0kenValue"}},
	{"options mangled", "mongodb://host/?&&tlsCertificateKeyFilePassword=Mangled1;;w=1", []string{"Mangled1"}},
	{"srv with a bad host list", "mongodb+srv://user:SrvSecret9@a,b/", []string{"SrvSecret9"}},
	{"bad port", "mongodb://user:PortSecret@host:99999/", []string{"PortSecret"}},
	{"spaces", "mongodb://user:Sp ace Secret@host", []string{"Sp ace Secret"}},
}

// quotings are the ways a message may quote a given string s or its secret p.
var quotings = []func(s, p string) string{
	func(s, _ string) string { return "error parsing uri " + s + ": bad" },
	func(s, _ string) string { return `connection string "` + s + `" refused` },
	func(_, p string) string { return `invalid option value "` + p + `": invalid URL escape` },
	func(_, p string) string { return "auth failed for " + p },
	func(_, p string) string { return "value=" + p + "; and " + p + "!" },
}

func TestRedactorHostileURIs(t *testing.T) {
	for _, tc := range hostileURIs {
		t.Run(tc.name, func(t *testing.T) {
			r := NewRedactor("", tc.uri)
			for _, p := range tc.secrets {
				for i, q := range quotings {
					text := q(tc.uri, p)
					got := r.String(text)
					assert.NotContains(t, got, p, "quoting %d: %q became %q", i, text, got)
				}
			}
		})
	}
}

func TestRedactorKeepsWhatIsNoSecret(t *testing.T) {
	r := NewRedactor("mongodb:/alice:Pa55word@db.example:27017/?appName=me@box&authMechanismProperties=SERVICE_NAME:mongodb",
		"mongodb://bob@h/", "mongodb://h/?tlsCertificateKeyFilePassword=ab")
	tests := []struct{ in, want string }{
		{"error parsing uri mongodb:/alice:Pa55word@db.example:27017/: bad", "error parsing uri mongodb:/db.example:27017/: bad"},
		{"password Pa55word", "password REDACTED"},
		{"the user name alone stays: alice, bob", "the user name alone stays: alice, bob"},
		{"appName me@box and SERVICE_NAME:mongodb stay", "appName me@box and SERVICE_NAME:mongodb stay"},
		{`a short secret is removed quoted: "ab", not in abc`, `a short secret is removed quoted: "REDACTED", not in abc`},
		{"and as an option: tlsCertificateKeyFilePassword=ab", "and as an option: tlsCertificateKeyFilePassword=REDACTED"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, r.String(tc.in))
	}
}
