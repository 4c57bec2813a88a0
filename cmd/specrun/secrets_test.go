package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/specrun/specrun/embedded"
)

// uriSources are the places a connection string comes from.
var uriSources = []struct{ flag, env string }{
	{"--uri", "MONGODB_URI"},
	{"--single-mongos-lb-uri", "SINGLE_MONGOS_LB_URI"},
	{"--multi-mongos-lb-uri", "MULTI_MONGOS_LB_URI"},
}

// hostileURI is a connection string as a user may give it, with the secrets in it
// that must never be shown. $SERVER stands for host:port of the embedded server.
type hostileURI struct {
	name, uri string
	secrets   []string
	// refused, when the URI does not parse: what stderr says (after "specrun: <flag>: ");
	// empty: the run goes on, and each secret appears in a failing test's reason.
	refused string
}

var hostileCLIURIs = []hostileURI{
	{name: "one slash after the scheme", uri: "mongodb:/user:Pa55word@$SERVER", secrets: []string{"Pa55word"},
		refused: `not a connection string: error parsing uri: scheme must be "mongodb" or "mongodb+srv"`},
	{name: "no scheme", uri: "user:Pa55word@$SERVER", secrets: []string{"Pa55word"},
		refused: `not a connection string: error parsing uri: scheme must be "mongodb" or "mongodb+srv"`},
	{name: "unescaped @ in the password", uri: "mongodb://user:Pa@55word@$SERVER/", secrets: []string{"Pa@55word", "55word"},
		refused: "not a connection string: error parsing uri: unescaped @ sign in user info"},
	{name: "bad escape in the password", uri: "mongodb://user:Pa55%zzword@$SERVER/", secrets: []string{"Pa55%zzword"},
		refused: `not a connection string: error parsing uri: invalid password: invalid URL escape "%zz"`},
	{name: "tls key password with a bad escape", uri: "mongodb://$SERVER/?tlsCertificateKeyFilePassword=ke%zzySecret", secrets: []string{"ke%zzySecret"},
		refused: `not a connection string: error parsing uri: invalid option value "REDACTED": invalid URL escape "%zz"`},
	{name: "aws session token with a bad escape", uri: "mongodb://$SERVER/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:tok%zzSecret",
		secrets: []string{"tok%zzSecret"}, refused: `not a connection string: error parsing uri: invalid option value "REDACTED": invalid URL escape "%zz"`},
	{name: "bad port", uri: "mongodb://user:PortSecret@$SERVER9/", secrets: []string{"PortSecret"},
		refused: `not a connection string: error parsing uri: invalid host "`},
	{name: "password and tls key password", uri: "mongodb://alice:Pa55word@$SERVER/?authMechanism=PLAIN&tlsCertificateKeyFilePassword=KeySecret1",
		secrets: []string{"Pa55word", "KeySecret1"}},
	{name: "escaped password and proxy password", uri: "mongodb://alice:Pa55%40word@$SERVER/?authMechanism=PLAIN&proxyPassword=Pr0xy%2FSecret",
		secrets: []string{"Pa55%40word", "Pa55@word", "Pr0xy%2FSecret", "Pr0xy/Secret"}},
}

// TestHostileURIsNeverShown gives each hostile connection string by each flag and
// environment variable, and looks for its secrets in everything specrun prints and
// writes: stdout, stderr, the JSON, JUnit and Markdown reports and the expectations
// file. The URIs that parse are run (the load-balancer ones beside a --uri of the
// embedded server), with a fixture whose failures quote the secrets.
func TestHostileURIsNeverShown(t *testing.T) {
	srv, err := embedded.Start(context.Background(), embedded.Options{})
	require.NoError(t, err)
	defer srv.Close()
	server := strings.TrimSuffix(strings.TrimPrefix(srv.URI(), "mongodb://"), "/")
	for _, tc := range hostileCLIURIs {
		uri := strings.ReplaceAll(tc.uri, "$SERVER", server)
		for _, src := range uriSources {
			for _, byEnv := range []bool{false, true} {
				name := tc.name + "/" + src.flag
				if byEnv {
					name = tc.name + "/$" + src.env
				}
				t.Run(name, func(t *testing.T) {
					for _, s := range uriSources {
						t.Setenv(s.env, "")
					}
					var args []string
					if src.flag != "--uri" {
						args = append(args, "--uri", srv.URI()) // the load balancers are not used
					}
					if byEnv {
						t.Setenv(src.env, uri)
					} else {
						args = append(args, src.flag, uri)
					}
					checkNoSecret(t, tc, src.flag, args)
				})
			}
		}
	}
}

func checkNoSecret(t *testing.T, tc hostileURI, flag string, args []string) {
	dir := t.TempDir()
	fixture := filepath.Join(dir, "secrets.json")
	require.NoError(t, os.WriteFile(fixture, quotingFixture(tc.secrets), 0o644))
	outputs := map[string]string{"r.json": "--json", "r.xml": "--junit", "r.md": "--markdown", "expect.yml": "--update-expect"}
	for file, f := range outputs {
		args = append(args, f, filepath.Join(dir, file))
	}
	code, stdout, stderr := runArgs(t, append(args, "-v", fixture)...)
	written := map[string]string{"stdout": stdout, "stderr": stderr}
	for file := range outputs {
		data, err := os.ReadFile(filepath.Join(dir, file))
		if tc.refused != "" {
			assert.ErrorIs(t, err, os.ErrNotExist, "%s: nothing is written when the URI is refused", file)
			continue
		}
		require.NoError(t, err, "stderr: %s", stderr)
		written[file] = string(data)
	}
	if tc.refused != "" {
		assert.Equal(t, exitUsage, code)
		assert.Contains(t, stderr, "specrun: "+flag+": "+tc.refused, "the refusal is said, redacted")
	} else {
		assert.Equal(t, exitFail, code, "every test fails, quoting a secret: %s", stdout+stderr)
		assert.Contains(t, written["r.json"], "REDACTED", "the secrets reached the report, and were removed")
	}
	for what, text := range written {
		for _, secret := range tc.secrets {
			assert.NotContains(t, text, secret, what)
		}
	}
}

// quotingFixture is a file with one test per secret whose failure quotes it: the
// collection holds the secret, the test expects something else.
func quotingFixture(secrets []string) []byte {
	var tests []string
	doc := map[string]any{"_id": 1}
	for i, s := range secrets {
		doc[fmt.Sprintf("s%d", i)] = s
		tests = append(tests, fmt.Sprintf(`{"description": "secret %d", "operations": [{"object": "collection0", "name": "find",
  "arguments": {"filter": {}}, "expectResult": [{"s%d": "not the secret"}]}]}`, i, i))
	}
	seed, _ := json.Marshal(doc)
	return []byte(`{"description": "secrets", "schemaVersion": "1.0",
  "createEntities": [{"client": {"id": "client0"}},
    {"database": {"id": "database0", "client": "client0", "databaseName": "secrets"}},
    {"collection": {"id": "collection0", "database": "database0", "collectionName": "coll"}}],
  "initialData": [{"collectionName": "coll", "databaseName": "secrets", "documents": [` + string(seed) + `]}],
  "tests": [` + strings.Join(tests, ",\n") + `]}`)
}

func TestFlagErrorsShowNoSecret(t *testing.T) {
	code, stdout, stderr := runArgs(t, "--timeout", "mongodb:/user:Pa55word@host", "crud")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, `invalid value "mongodb:/host" for flag --timeout`)
	assert.NotContains(t, stdout+stderr, "Pa55word")
}
