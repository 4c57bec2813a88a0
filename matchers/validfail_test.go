package matchers

import "testing"

// TestValidFail reproduces, at the matcher level, every test of the Unified
// Test Format's valid-fail directory that fails because of a match: the
// expected values are the test files' expectResult, the actual values are
// what the server returns for their initialData.
//
// The other valid-fail files fail before or outside matching:
//   - assertNumberConnectionsCheckedOut: missing or undefined operation
//     arguments, and a connection count checked by the test runner operation.
//   - entity-bucket-database-undefined, entity-collection-database-undefined,
//     entity-database-client-undefined, entity-session-client-undefined:
//     entities that refer to undefined entities.
//   - entity-client-apiVersion-unsupported: the client entity cannot be created.
//   - entity-findCursor: operations on a cursor entity that does not exist.
//   - entity-findCursor-malformed: createFindCursor without its filter.
//   - ignoreResultAndError: an operation error (duplicate key) with no
//     expectError, which ignoreResultAndError: false does not ignore.
//   - ignoreResultAndError-malformed: invalid operation arguments.
//   - kmsProviders-missing_aws_kms_credentials, -missing_azure_kms_credentials,
//     -missing_gcp_kms_credentials, kmsProviders-no_kms: the clientEncryption
//     entity cannot be created.
//   - operation-failure: server errors with no expectError.
//   - operation-unsupported: an operation the runner does not know.
//   - returnDocument-enum-invalid: an invalid argument value.
//   - schemaVersion-unsupported: the file's schema version.
func TestValidFail(t *testing.T) {
	runCases(t, unified, []matchCase{
		// operator-matchAsDocument.json
		{name: "matchAsDocument with non-matching filter",
			expected: `[{"_id": 1, "json": {"$$matchAsDocument": {"x": 1, "y": "two"}}}]`,
			actual:   `[{"_id": 1, "json": "{ \"x\": 1, \"y\": 2 }"}]`, at: RootElements, want: mismatch, path: "0.json.y"},
		{name: "matchAsDocument evaluates special operators",
			expected: `[{"_id": 1, "json": {"$$matchAsDocument": {"x": 1, "y": {"$$exists": false}}}}]`,
			actual:   `[{"_id": 1, "json": "{ \"x\": 1, \"y\": 2 }"}]`, at: RootElements, want: mismatch, path: "0.json.y"},
		{name: "matchAsDocument does not permit extra fields",
			expected: `[{"_id": 1, "json": {"$$matchAsDocument": {"x": 1}}}]`,
			actual:   `[{"_id": 1, "json": "{ \"x\": 1, \"y\": 2 }"}]`, at: RootElements, want: mismatch, path: "0.json.y"},
		{name: "matchAsDocument expects JSON object but given scalar",
			expected: `[{"_id": 2, "json": {"$$matchAsDocument": {"$$matchAsRoot": {}}}}]`,
			actual:   `[{"_id": 2, "json": "1"}]`, at: RootElements, want: mismatch, path: "0.json"},
		{name: "matchAsDocument expects JSON object but given array",
			expected: `[{"_id": 3, "json": {"$$matchAsDocument": {"$$matchAsRoot": {}}}}]`,
			actual:   `[{"_id": 3, "json": "[ \"foo\" ]"}]`, at: RootElements, want: mismatch, path: "0.json"},
		{name: "matchAsDocument fails to decode Extended JSON",
			expected: `[{"_id": 4, "json": {"$$matchAsDocument": {"$$matchAsRoot": {}}}}]`,
			actual:   `[{"_id": 4, "json": "{ \"x\" }"}]`, at: RootElements, want: mismatch, path: "0.json"},

		// operator-matchAsRoot.json
		{name: "matchAsRoot with nested document does not match",
			expected: `[{"_id": 1, "x": {"$$matchAsRoot": {"y": 3}}}]`,
			actual:   `[{"_id": 1, "x": {"y": 2, "z": 3}}]`, at: RootElements, want: mismatch, path: "0.x.y"},
	})
}

// TestValidPassCounterparts checks that the valid-pass twins of the files
// above match, so the failures above come from what the files change.
func TestValidPassCounterparts(t *testing.T) {
	runCases(t, unified, []matchCase{
		// valid-pass/operator-matchAsDocument.json
		{name: "matchAsDocument performs flexible numeric comparisons",
			expected: `[{"_id": 1, "json": {"$$matchAsDocument": {"x": 1.0, "y": 2}}}]`,
			actual:   `[{"_id": 1, "json": "{ \"x\": 1, \"y\": 2.0 }"}]`, at: RootElements},
		{name: "matchAsDocument evaluates special operators",
			expected: `[{"_id": 1, "json": {"$$matchAsDocument": {"x": 1, "y": {"$$exists": true}}}}]`,
			actual:   `[{"_id": 1, "json": "{ \"x\": 1, \"y\": 2.0 }"}]`, at: RootElements},
		{name: "matchAsDocument decodes Extended JSON",
			expected: `[{"_id": 2, "json": {"$$matchAsDocument": {"x": {"$$type": "objectId"}}}}]`,
			actual:   `[{"_id": 2, "json": "{ \"x\": { \"$oid\": \"57e193d7a9cc81b4027498b5\" } }"}]`, at: RootElements},
		// valid-pass/operator-matchAsRoot.json
		{name: "matchAsRoot with nested document",
			expected: `[{"_id": 1, "x": {"$$matchAsRoot": {"y": 2}}}]`,
			actual:   `[{"_id": 1, "x": {"y": 2, "z": 3}}]`, at: RootElements},
		{name: "matchAsRoot evaluates special operators",
			expected: `[{"_id": 1, "x": {"$$matchAsRoot": {"y": 2, "z": {"$$exists": true}}}}]`,
			actual:   `[{"_id": 1, "x": {"y": 2, "z": 3}}]`, at: RootElements},
		{name: "matchAsRoot with matchAsDocument",
			expected: `[{"_id": 2, "json": {"$$matchAsDocument": {"$$matchAsRoot": {"x": 1}}}}]`,
			actual:   `[{"_id": 2, "json": "{ \"x\": 1, \"y\": 2 }"}]`, at: RootElements},
		// valid-pass/operator-lte.json
		{name: "special lte matching operator",
			expected: `{"insert": "coll0", "documents": [{"_id": {"$$lte": 2}, "x": {"$$lte": 2.1}, "y": {"$$lte": {"$numberLong": "3"}}, "z": {"$$lte": 4}}]}`,
			actual:   `{"insert": "coll0", "documents": [{"_id": 1, "x": 2, "y": 3, "z": 4}], "ordered": true}`, at: Root},
		// valid-pass/operator-type-number_alias.json
		{name: "type number alias matches int32", expected: `[{"_id": 1, "x": {"$$type": "number"}}]`, actual: `[{"_id": 1, "x": {"$numberInt": "2147483647"}}]`, at: RootElements},
		{name: "type number alias matches int64", expected: `[{"_id": 1, "x": {"$$type": "number"}}]`, actual: `[{"_id": 1, "x": {"$numberLong": "9223372036854775807"}}]`, at: RootElements},
		{name: "type number alias matches double", expected: `[{"_id": 1, "x": {"$$type": "number"}}]`, actual: `[{"_id": 1, "x": {"$numberDouble": "2.71828"}}]`, at: RootElements},
		{name: "type number alias matches decimal128", expected: `[{"_id": 1, "x": {"$$type": "number"}}]`, actual: `[{"_id": 1, "x": {"$numberDecimal": "3.14159"}}]`, at: RootElements},
	})
}
