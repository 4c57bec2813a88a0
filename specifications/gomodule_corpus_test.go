package specifications

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/specrun/specrun/internal/testcorpus"
)

// goModuleRejections are the files of the Go driver 1.x module's test data
// (go.mongodb.org/mongo-driver v1.17.3, testdata/) that specrun rejects, with the field
// it names and why the spec says the file is invalid. No other file may be rejected:
// a rejection is right only where the spec says so.
var goModuleRejections = []struct{ id, field, why string }{
	// The Go driver added "unordered" to two expected log messages for its own runner
	// (GODRIVER-2586, 2023-02-08: its pool logs "Connection closed" and "Connection
	// checkout failed" in either order); upstream's file never had it. The Unified
	// Test Format (schema 1.13, the file's, and every later one) closes
	// expectedLogMessage (additionalProperties: false; the spec text lists level,
	// component, failureIsRedacted and data), and upstream's
	// invalid/expectedLogMessage-additionalProperties is that very case.
	{"connection-monitoring-and-pooling/logging/connection-logging", "tests.1.expectLogMessages.0.messages.5.unordered",
		"a field no version of expectedLogMessage has"},
	// Copied by the Go driver on 2022-04-21 from an unmerged draft of DRIVERS-2017,
	// whose entity was still named encryptedClient; upstream renamed it clientEncryption
	// (and these files kmsProviders-no_kms and kmsProviders-missing_*_kms_credentials)
	// before merging on 2022-04-26. The Go driver keeps both copies. Schema 1.8, the
	// files' own, allows no entity key but client, clientEncryption, database,
	// collection, session and bucket.
	{"unified-test-format/valid-fail/clientEncryptionOpts-missing-kms-credentials", "createEntities.1.encryptedClient",
		"an entity type the spec never had (a pre-merge name of clientEncryption)"},
	{"unified-test-format/valid-fail/clientEncryptionOpts-no-kms", "createEntities.1.encryptedClient",
		"an entity type the spec never had (a pre-merge name of clientEncryption)"},
	// Upstream's schema-invalid tests (invalid/, added 2023-07-19 by DRIVERS-1670 and
	// 2023-05-30 by DRIVERS-1671), byte for byte, which the Go driver keeps among its
	// valid-fail tests: its runner does not validate the schema, so they fail at run
	// time there. The spec says they are invalid.
	{"unified-test-format/valid-fail/expectedLogMessagesForClient-ignoreExtraMessages-type", "tests.0.expectLogMessages.0.ignoreExtraMessages",
		"upstream's invalid/ test of that name"},
	{"unified-test-format/valid-fail/expectedLogMessagesForClient-ignoreMessages-items", "tests.0.expectLogMessages.0.ignoreMessages.0",
		"upstream's invalid/ test of that name"},
	{"unified-test-format/valid-fail/expectedLogMessagesForClient-ignoreMessages-type", "tests.0.expectLogMessages.0.ignoreMessages",
		"upstream's invalid/ test of that name"},
	{"unified-test-format/valid-fail/expectedSdamEvent-topologyDescriptionChangedEvent-additionalProperties", "tests.0.expectEvents.0.events.0.topologyDescriptionChangedEvent.foo",
		"upstream's invalid/ test of that name"},
}

// TestGoModuleCorpusLoads: the Go driver 1.x module's test data in the module cache
// loads as cleanly as the other corpora. Its client-side-encryption/legacy files, whose
// $$type the client-side encryption tests README allows, load once their path is
// known as the Go driver layout (testdata/ inside the module's folder).
func TestGoModuleCorpusLoads(t *testing.T) {
	root := testcorpus.GoModule(t)
	sources, err := Discover([]string{root})
	require.NoError(t, err)
	var rejected []string
	loaded := map[string]*File{}
	for _, r := range LoadAll(sources, false) {
		switch r.Kind {
		case Rejected:
			rejected = append(rejected, r.Source.ID+": "+FieldPath(r.Err))
		case Loaded:
			loaded[r.Source.ID] = r.File
		}
	}
	var want []string
	for _, r := range goModuleRejections {
		want = append(want, r.id+": "+r.field)
	}
	assert.ElementsMatch(t, want, rejected, "only the files the spec says are invalid are rejected")
	assert.Len(t, loaded, 531)
	var cse, cseLoaded int
	for _, s := range sources {
		if strings.HasPrefix(s.ID, "client-side-encryption/legacy/") {
			cse++
			if loaded[s.ID] != nil {
				cseLoaded++
			}
		}
	}
	assert.Equal(t, 97, cse)
	assert.Equal(t, cse, cseLoaded, "every client-side-encryption/legacy file loads (53 were refused for $$type)")
	assert.Contains(t, loaded, "crud/unified/find", "IDs are those of the other layouts")
}

// TestGoModuleRunCommandWithoutCommandName: two tests of the Go driver's copy of
// client-side-operations-timeout/global-timeoutMS (taken on 2022-04-15 from a draft of
// DRIVERS-555, schema 1.5) call runCommand without commandName, which the Unified Test
// Format has required since runCommand was defined ("commandName: Required string. The
// name of the command to run."; upstream's file has had commandName: ping since it was
// merged on 2022-05-06). The file is valid JSON schema (operation arguments are not in
// the schema) and loads; those two tests are errors at run time, as specrun check
// lists them (specrun requires argument commandName), and the rest of the file runs.
func TestGoModuleRunCommandWithoutCommandName(t *testing.T) {
	root := testcorpus.GoModule(t)
	lr := Load(Source{Path: root + "/client-side-operations-timeout/global-timeoutMS.json", ID: "client-side-operations-timeout/global-timeoutMS"}, false)
	require.Equal(t, Loaded, lr.Kind, "%v", lr.Err)
	var without []string
	for _, test := range lr.File.Tests {
		for _, op := range test.Operations {
			if op.Name == "runCommand" && op.Arguments.Lookup("commandName").Type == 0 {
				without = append(without, test.Description)
			}
		}
	}
	assert.Equal(t, []string{
		"timeoutMS can be configured on a MongoClient - runCommand on database",
		"timeoutMS can be set to 0 on a MongoClient - runCommand on database",
	}, without)
}
