// Package matchers decides whether an actual BSON value satisfies an expected
// one, as the MongoDB driver specification tests define it, and says precisely
// where it does not.
//
// There are six profiles, one constructor each:
//
//   - [Unified] implements "Evaluating Matches" of the Unified Test Format:
//     $$-operators, flexible numeric comparisons (int32, int64 and double
//     compare by value; decimal128 only equals decimal128), extra keys allowed
//     in root-level documents only, arrays compared element by element.
//   - [Exact] compares collection contents for a unified test's outcome. The
//     spec says that there "the rules in Evaluating Matches do not apply and the
//     documents MUST match exactly; however, test runners MUST permit variations
//     in document key order", so only key order may differ: no operators, no
//     extra keys, no numeric flexibility (int32 1 does not equal double 1.0).
//   - [Legacy] serves the legacy CRUD v1 and command monitoring formats: numbers
//     compare by value (which also makes ok: 1 equal ok: 1.0), extra keys are
//     allowed at the top level of a root-level document only, and a few
//     placeholders apply at the keys that carry them (cursor ids "42", write
//     error code 42 and errmsg "", optional CRUD result fields). A Legacy
//     matcher remembers the cursor id that "42" stands for, so create one per
//     test and use it for every match in that test.
//   - [LegacyTransactions] serves the transactions-style runner format: the
//     unified rules (the translation writes the format's placeholders as unified
//     operators) with the CRUD v1 rules for operation results.
//   - [LegacyChangeStreams] is the legacy change-stream README's MATCH: expected is
//     a subset of actual at every depth, and 42 or "42" is any present, non-null
//     value.
//   - [LegacyGridFS] is the legacy GridFS README's comparison: no key more or less,
//     "*actual" and "*result" as placeholders, collections compared as sets
//     ([Matcher.MatchUnordered]).
//
// Whether a document is root-level is the caller's knowledge, given as a
// [Position]: Root for a command, a reply or an operation result document,
// RootElements for the documents of an iterated cursor (find, aggregate...),
// Nested for everything else (e.g. a distinct result).
//
// The actual value may be absent (a missing result, a key not in the
// document): that is the zero bson.RawValue, which [Doc] also returns for a nil
// document. Operators such as $$unsetOrMatches and $$exists: false accept it.
//
// Match returns nil, a [*Mismatch] (the test fails) or an
// [*InvalidExpectation] (the test file asks for something the matcher cannot
// evaluate: an unknown operator, a malformed argument, an undefined entity).
//
// Intended use by the interpreter, for one expected command started event:
//
//	m := matchers.Unified(entityMap) // entityMap implements matchers.Entities
//	err := m.Match(matchers.Doc(expected.Command), matchers.Doc(event.Command), matchers.Root)
//	var mismatch *matchers.Mismatch
//	switch {
//	case errors.As(err, &mismatch):
//		// the test fails: "command.cursor.batchSize: expected int32 2, got int64 3"
//	case err != nil:
//		// the test file is invalid
//	}
//
// For a find operation's expectResult, match the result array at
// RootElements; for a unified test's outcome, compare each collection's
// documents with matchers.Exact().Match(expectedDocuments, actualDocuments,
// matchers.Nested); for a legacy test, create m := matchers.Legacy() when the
// test starts and match each event's command or reply at Root.
package matchers
