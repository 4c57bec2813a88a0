// Package drivererr reads, once, what an error of the Go driver says: whether the
// server answered (the spec's server error) or not (a client error), the codes, code
// names and labels of its answer, the reply itself, a client bulk write's write errors,
// and one line that describes it for a reason. The interpreter's verdicts and its
// checks of expectError, the probe and the special test operations all read driver
// errors here, so that the driver's error types are taken apart in one place.
package drivererr

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/specrun/specrun/result"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/auth"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"
)

// Details is what an error says.
type Details struct {
	// Server: the error carries a server response; otherwise it is a client error,
	// "not derived from a server response" (Unified Test Format, isClientError).
	Server  bool
	Network bool // the connection failed or was closed
	Timeout bool // the driver's own reading, mongo.IsTimeout
	// ServerSelection: no server could be selected (in time): the driver never sent
	// the command.
	ServerSelection bool
	// Auth: authentication failed (the credentials, the mechanism): a matter of
	// configuration, not of reachability.
	Auth bool
	// Codes are every code of a server error, as the driver gives them: the
	// top-level code, or those of the write errors and the write concern error.
	Codes []int
	// CodeNames are every code name the answer carries (write errors carry theirs
	// only in their raw documents).
	CodeNames []string
	// UnnamedCodes are the codes of a bulk write's write errors (mongo.BulkWriteException:
	// insertMany, bulkWrite) that carry no code name, which the Go driver does not
	// expose and servers do not send: HasCodeName compares them through MongoDB's
	// error-code table.
	UnnamedCodes []int
	// Labels are the error labels of the top-level error, for messages; HasLabel
	// asks the driver.
	Labels []string
	// Reply is the server's reply the error carries (expectError.errorResponse); nil
	// when it has none.
	Reply bson.Raw
	// Aggregate names the Go driver's error type when the error gathers write errors
	// and a write concern error from the server's replies without keeping a reply
	// whole: "BulkWriteException" (insertMany, bulkWrite), or "WriteException" for one
	// without its reply. Reply is nil then although the server answered; "" otherwise.
	Aggregate string
	// Message is what expectError.errorContains searches: the error's text, or for a
	// client bulk write the top-level error's message only ("" without one), as the
	// spec keeps writeErrors and writeConcernErrors for their own assertions.
	Message string
	// ClientBulk holds a client bulk write's write errors and write concern errors as
	// the spec's tests describe them; nil for any other error.
	ClientBulk *ClientBulk

	labeled     mongo.LabeledError
	description string
}

// ClientBulk are the errors of a client bulk write's individual writes, as documents:
// each write error {code, message, details?} by its model's index, each write concern
// error {code, codeName?, message, details?}.
type ClientBulk struct {
	WriteErrors        map[int]bson.Raw
	WriteConcernErrors []bson.Raw
}

// Of reads err; nil gives the zero Details.
func Of(err error) Details {
	if err == nil {
		return Details{}
	}
	// A client bulk write's top-level error has the shape of any command error.
	top := topLevel(err)
	d := Details{
		Server:      isServer(top),
		Network:     mongo.IsNetworkError(err),
		Auth:        errors.As(err, new(*auth.Error)),
		Timeout:     mongo.IsTimeout(top),
		CodeNames:   codeNames(top),
		Message:     top.Error(),
		description: describe(err),
	}
	d.Labels, d.Reply = answer(top)
	var sel topology.ServerSelectionError
	d.ServerSelection = errors.As(err, &sel)
	var serr mongo.ServerError
	if d.Server && errors.As(top, &serr) {
		d.Codes = serr.ErrorCodes()
	}
	errors.As(top, &d.labeled)
	d.UnnamedCodes, d.Aggregate = aggregated(top)
	var cbwe mongo.ClientBulkWriteException
	if errors.As(err, &cbwe) {
		d.Message = ""
		if cbwe.WriteError != nil {
			d.Message = cbwe.WriteError.Message
		}
		d.ClientBulk = clientBulk(cbwe)
	}
	return d
}

// HasCode says whether the server's answer has this code.
func (d Details) HasCode(code int) bool { return slices.Contains(d.Codes, code) }

// HasCodeName says whether the answer carries this code name, compared
// case-insensitively as the spec compares names. A bulk write's write errors carry a
// code without a name (UnnamedCodes): for them the name is translated to its code with
// MongoDB's error-code table, as the Unified Test Format's bulkWrite section allows
// ("Drivers that expose code but not codeName through BulkWriteException MAY translate
// the expected code name to a number ... and compare with code instead, but MUST raise
// an error if the comparison cannot be attempted (e.g. code is also not available,
// translation fails)"). The error is that case: a name the table does not have,
// against write errors that carry codes only.
func (d Details) HasCodeName(name string) (bool, error) {
	if slices.ContainsFunc(d.CodeNames, func(n string) bool { return strings.EqualFold(n, name) }) {
		return true, nil
	}
	if len(d.UnnamedCodes) == 0 {
		return false, nil
	}
	code, ok := CodeOf(name)
	if !ok {
		return false, fmt.Errorf("%q is not a code name of %s, and the write errors carry codes without names: the comparison cannot be attempted", name, errorCodeSource)
	}
	return slices.Contains(d.UnnamedCodes, code), nil
}

// HasLabel says whether the error has this label, as the driver reads its labels.
func (d Details) HasLabel(label string) bool {
	return d.labeled != nil && d.labeled.HasErrorLabel(label)
}

// String is one line that says what the server answered, with code and code name
// where there are, or what the driver raised.
func (d Details) String() string { return d.description }

// IsCommand says whether err is a command's error reply with this code or code name
// (servers that are not MongoDB may name the error and give another code, or the
// reverse).
func IsCommand(err error, code int32, name string) bool {
	var ce mongo.CommandError
	return errors.As(err, &ce) && (ce.Code == code || ce.Name == name)
}

// topLevel gives a client bulk write's top-level error (the driver keeps it as a
// WriteError whose Raw is the server's reply) the shape of any other command error, so
// that codes, names, labels and the reply are read the same way.
func topLevel(err error) error {
	var cbwe mongo.ClientBulkWriteException
	if !errors.As(err, &cbwe) || cbwe.WriteError == nil {
		return err
	}
	we := cbwe.WriteError
	ce := mongo.CommandError{Code: int32(we.Code), Message: we.Message, Raw: we.Raw, Wrapped: err}
	ce.Name, _ = we.Raw.Lookup("codeName").StringValueOK()
	if list, ok := we.Raw.Lookup("errorLabels").ArrayOK(); ok {
		vals, _ := list.Values()
		for _, v := range vals {
			if l, ok := v.StringValueOK(); ok {
				ce.Labels = append(ce.Labels, l)
			}
		}
	}
	return ce
}

func isServer(err error) bool {
	var (
		ce   mongo.CommandError
		we   mongo.WriteException
		bwe  mongo.BulkWriteException
		cbwe mongo.ClientBulkWriteException
	)
	switch {
	case errors.As(err, &ce):
		return ce.Code != 0 || len(ce.Raw) > 0
	case errors.As(err, &we):
		return len(we.WriteErrors) > 0 || we.WriteConcernError != nil || len(we.Raw) > 0
	case errors.As(err, &bwe):
		return len(bwe.WriteErrors) > 0 || bwe.WriteConcernError != nil
	case errors.As(err, &cbwe):
		return cbwe.WriteError != nil || len(cbwe.WriteErrors) > 0 || len(cbwe.WriteConcernErrors) > 0
	}
	return false
}

func codeNames(err error) []string {
	var (
		ce  mongo.CommandError
		we  mongo.WriteException
		bwe mongo.BulkWriteException
	)
	var names []string
	rawName := func(raw bson.Raw) {
		if n, ok := raw.Lookup("codeName").StringValueOK(); ok {
			names = append(names, n)
		}
	}
	if errors.As(err, &ce) {
		names = append(names, ce.Name)
	}
	if errors.As(err, &we) {
		if we.WriteConcernError != nil {
			names = append(names, we.WriteConcernError.Name)
		}
		rawName(we.Raw)
		for _, e := range we.WriteErrors {
			rawName(e.Raw)
		}
	}
	if errors.As(err, &bwe) {
		if bwe.WriteConcernError != nil {
			names = append(names, bwe.WriteConcernError.Name)
		}
		for _, e := range bwe.WriteErrors {
			rawName(e.Raw)
		}
	}
	return names
}

// aggregated reads an error that gathers the errors of the server's replies without
// keeping a reply whole: the codes of its write errors that carry no name, and its type
// (see Details.Aggregate).
func aggregated(err error) (unnamed []int, aggregate string) {
	var (
		bwe mongo.BulkWriteException
		we  mongo.WriteException
	)
	switch {
	case errors.As(err, &bwe):
		for _, e := range bwe.WriteErrors {
			if _, named := e.Raw.Lookup("codeName").StringValueOK(); !named {
				unnamed = append(unnamed, e.Code)
			}
		}
		return unnamed, "BulkWriteException"
	case errors.As(err, &we) && len(we.Raw) == 0:
		return nil, "WriteException"
	}
	return nil, ""
}

// answer is the top-level labels and reply of a command's or a write's error.
func answer(err error) (labels []string, reply bson.Raw) {
	var (
		ce mongo.CommandError
		we mongo.WriteException
	)
	switch {
	case errors.As(err, &ce):
		return ce.Labels, ce.Raw
	case errors.As(err, &we):
		return we.Labels, we.Raw
	}
	return nil, nil
}

// connectionRE matches the driver's name for a connection (address and a counter),
// which differs from run to run.
var connectionRE = regexp.MustCompile(`connection\([^)]*\)\s*`)

func describe(err error) string {
	var (
		ce   mongo.CommandError
		we   mongo.WriteException
		bwe  mongo.BulkWriteException
		cbwe mongo.ClientBulkWriteException
	)
	switch {
	case mongo.IsNetworkError(err):
		// What matters is that the server closed the connection or did not answer.
		return "network error: " + connectionRE.ReplaceAllString(result.OneLine(err.Error()), "")
	case errors.As(err, &cbwe):
		return describeClientBulk(cbwe, err)
	case errors.As(err, &ce) && ce.Code != 0:
		return describeCommand(ce.Code, ce.Name, ce.Message)
	case errors.As(err, &we):
		return describeWrites(we.WriteErrors, we.WriteConcernError, err)
	case errors.As(err, &bwe):
		var wes []mongo.WriteError
		for _, e := range bwe.WriteErrors {
			wes = append(wes, e.WriteError)
		}
		return describeWrites(wes, bwe.WriteConcernError, err)
	}
	return result.OneLine(err.Error())
}

func describeCommand(code int32, name, message string) string {
	return fmt.Sprintf("server error %d (%s): %s", code, name, result.OneLine(message))
}

// describeClientBulk: the top-level error, then the write errors in the order of their
// models, then the first write concern error.
func describeClientBulk(cbwe mongo.ClientBulkWriteException, err error) string {
	var parts []string
	if we := cbwe.WriteError; we != nil {
		name, _ := we.Raw.Lookup("codeName").StringValueOK()
		parts = append(parts, describeCommand(int32(we.Code), name, we.Message))
	}
	var wes []mongo.WriteError
	for _, i := range slices.Sorted(maps.Keys(cbwe.WriteErrors)) {
		wes = append(wes, cbwe.WriteErrors[i])
	}
	var wce *mongo.WriteConcernError
	if len(cbwe.WriteConcernErrors) > 0 {
		wce = &cbwe.WriteConcernErrors[0]
	}
	if rest := describeWrites(wes, wce, nil); rest != "" {
		parts = append(parts, rest)
	}
	if len(parts) == 0 {
		return result.OneLine(err.Error())
	}
	return strings.Join(parts, "; ")
}

// describeWrites lists write errors and a write concern error; with none, err's text
// ("" when err is nil).
func describeWrites(wes []mongo.WriteError, wce *mongo.WriteConcernError, err error) string {
	var parts []string
	for _, e := range wes {
		parts = append(parts, fmt.Sprintf("write error %d at index %d: %s", e.Code, e.Index, result.OneLine(e.Message)))
	}
	if wce != nil {
		parts = append(parts, fmt.Sprintf("write concern error %d (%s): %s", wce.Code, wce.Name, result.OneLine(wce.Message)))
	}
	if len(parts) == 0 && err != nil {
		return result.OneLine(err.Error())
	}
	return strings.Join(parts, "; ")
}

func clientBulk(cbwe mongo.ClientBulkWriteException) *ClientBulk {
	out := &ClientBulk{WriteErrors: map[int]bson.Raw{}}
	for i, e := range cbwe.WriteErrors {
		out.WriteErrors[i] = errorDocument(e.Code, "", e.Message, e.Details)
	}
	for _, e := range cbwe.WriteConcernErrors {
		out.WriteConcernErrors = append(out.WriteConcernErrors, errorDocument(e.Code, e.Name, e.Message, e.Details))
	}
	return out
}

// errorDocument is a write or write concern error as the spec's tests describe it.
func errorDocument(code int, name, message string, details bson.Raw) bson.Raw {
	d := bson.D{{Key: "code", Value: int32(code)}}
	if name != "" {
		d = append(d, bson.E{Key: "codeName", Value: name})
	}
	d = append(d, bson.E{Key: "message", Value: message})
	if len(details) > 0 {
		d = append(d, bson.E{Key: "details", Value: details})
	}
	raw, err := bson.Marshal(d)
	if err != nil {
		panic(err) // a document of an int32, strings and a document always marshals
	}
	return raw
}
