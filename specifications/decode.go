package specifications

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strings"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/internal/bsontext"
)

// FieldError is a structural error at a field path of a fixture file. Where one
// document has several problems, the first is the error and the rest are in Also.
type FieldError struct {
	Path    string // e.g. tests.0.operations.2.expectError; empty for the whole document
	Message string
	Also    []*FieldError
}

func (e *FieldError) Error() string {
	s := e.Message
	if e.Path != "" {
		s = e.Path + ": " + e.Message
	}
	for _, a := range e.Also {
		s += "; " + a.Error()
	}
	return s
}

func fieldErrorf(path, format string, args ...any) *FieldError {
	return &FieldError{Path: path, Message: fmt.Sprintf(format, args...)}
}

// The strict decoder fills model structs from BSON, driven by `spec` struct tags:
//
//	`spec:"name"`                 optional field
//	`spec:"name,required"`        must be present
//	`spec:"name,nonempty"`        an array with at least one element / a document with at least one key
//	`spec:"name,enum=a|b|c"`      a string (or each string of an array) from this list
//	`spec:"name,version"`         a version string: digits, a dot and digits, optionally a third part
//	`spec:"-"`                    not decoded (set by the loader)
//
// Supported field types: string, bool, int64, *T for optional scalars and structs, []T,
// bson.Raw (any document, kept as is), bson.RawValue (any value; Type 0 when absent) and
// structs. A key that no field names is refused. A struct that implements oneOf must have
// exactly one key; one that implements validator is checked after decoding.
type oneOf interface{ oneOf() }

type validator interface {
	// validate returns a FieldError whose Path is relative to the value, or nil.
	validate() *FieldError
}

// decodeDocument decodes doc into the struct that out points to.
func decodeDocument(path string, doc bson.Raw, out any) *FieldError {
	return decodeValue(path, bson.RawValue{Type: bson.TypeEmbeddedDocument, Value: doc}, reflect.ValueOf(out).Elem(), fieldTag{})
}

type fieldTag struct {
	name     string
	required bool
	nonempty bool
	version  bool
	enum     []string
}

func parseTag(tag string) fieldTag {
	parts := strings.Split(tag, ",")
	t := fieldTag{name: parts[0]}
	for _, p := range parts[1:] {
		switch {
		case p == "required":
			t.required = true
		case p == "nonempty":
			t.nonempty = true
		case p == "version":
			t.version = true
		case strings.HasPrefix(p, "enum=@"):
			list, ok := namedEnums[strings.TrimPrefix(p, "enum=@")]
			if !ok {
				panic("specifications: unknown enum " + p)
			}
			t.enum = list
		case strings.HasPrefix(p, "enum="):
			t.enum = strings.Split(strings.TrimPrefix(p, "enum="), "|")
		default:
			panic("specifications: unknown spec tag option " + p)
		}
	}
	return t
}

// namedEnums are the value lists used by more than one field (`enum=@name`).
// observableEvents follows the spec text, which lists the heartbeat events that the
// JSON schema leaves out (the SDAM tests observe them).
var namedEnums = map[string][]string{
	"severity": {"emergency", "alert", "critical", "error", "warning", "notice", "info", "debug", "trace"},
	// The spec text lists the three heartbeat events too (added with schema 1.17), and
	// the SDAM tests observe them; schema 1.28's enum leaves them out. The text wins.
	"observableEvents": {"commandStartedEvent", "commandSucceededEvent", "commandFailedEvent",
		"poolCreatedEvent", "poolReadyEvent", "poolClearedEvent", "poolClosedEvent",
		"connectionCreatedEvent", "connectionReadyEvent", "connectionClosedEvent",
		"connectionCheckOutStartedEvent", "connectionCheckOutFailedEvent",
		"connectionCheckedOutEvent", "connectionCheckedInEvent",
		"serverDescriptionChangedEvent", "serverHeartbeatStartedEvent",
		"serverHeartbeatSucceededEvent", "serverHeartbeatFailedEvent",
		"topologyDescriptionChangedEvent", "topologyOpeningEvent", "topologyClosedEvent"},
}

var (
	rawType      = reflect.TypeOf(bson.Raw(nil))
	rawValueType = reflect.TypeOf(bson.RawValue{})
	versionRE    = regexp.MustCompile(`^[0-9]+(\.[0-9]+){1,2}$`)
)

// joinErrors makes one error of several, flattening those that carry others.
func joinErrors(errs []*FieldError) *FieldError {
	var all []*FieldError
	for _, e := range errs {
		all = append(all, &FieldError{Path: e.Path, Message: e.Message})
		all = append(all, e.Also...)
	}
	first := all[0]
	first.Also = all[1:]
	return first
}

// rawDecoder is implemented by model types whose shape a struct cannot say
// (a boolean or a document; keys that follow a pattern).
type rawDecoder interface {
	decodeRaw(path string, v bson.RawValue) *FieldError
}

func decodeValue(path string, v bson.RawValue, out reflect.Value, tag fieldTag) *FieldError {
	if out.CanAddr() {
		if d, ok := out.Addr().Interface().(rawDecoder); ok {
			return d.decodeRaw(path, v)
		}
	}
	switch out.Type() {
	case rawValueType:
		out.Set(reflect.ValueOf(v))
		return nil
	case rawType:
		doc, ok := v.DocumentOK()
		if !ok {
			return typeError(path, "a document", v)
		}
		if tag.nonempty {
			if keys, _ := doc.Elements(); len(keys) == 0 {
				return fieldErrorf(path, "must not be empty")
			}
		}
		out.Set(reflect.ValueOf(doc))
		return nil
	}
	switch out.Kind() {
	case reflect.Pointer:
		elem := reflect.New(out.Type().Elem())
		if err := decodeValue(path, v, elem.Elem(), tag); err != nil {
			return err
		}
		out.Set(elem)
		return nil
	case reflect.String:
		s, ok := v.StringValueOK()
		if !ok {
			return typeError(path, "a string", v)
		}
		if tag.version && !versionRE.MatchString(s) {
			return fieldErrorf(path, "%q is not a version (like 4.4 or 4.4.1)", s)
		}
		if tag.enum != nil && !contains(tag.enum, s) {
			return fieldErrorf(path, "%q is not one of %s", s, strings.Join(tag.enum, ", "))
		}
		out.SetString(s)
		return nil
	case reflect.Bool:
		b, ok := v.BooleanOK()
		if !ok {
			return typeError(path, "a boolean", v)
		}
		out.SetBool(b)
		return nil
	case reflect.Int64:
		i, ok := integerValue(v)
		if !ok {
			return typeError(path, "an integer", v)
		}
		out.SetInt(i)
		return nil
	case reflect.Slice:
		arr, ok := v.ArrayOK()
		if !ok {
			return typeError(path, "an array", v)
		}
		values, _ := arr.Values()
		if tag.nonempty && len(values) == 0 {
			return fieldErrorf(path, "must have at least one element")
		}
		s := reflect.MakeSlice(out.Type(), len(values), len(values))
		elemTag := fieldTag{enum: tag.enum, version: tag.version}
		for i, ev := range values {
			if err := decodeValue(indexPath(path, i), ev, s.Index(i), elemTag); err != nil {
				return err
			}
		}
		out.Set(s)
		return nil
	case reflect.Struct:
		doc, ok := v.DocumentOK()
		if !ok {
			return typeError(path, "a document", v)
		}
		return decodeStruct(path, doc, out)
	}
	panic(fmt.Sprintf("specifications: cannot decode into %s", out.Type()))
}

func decodeStruct(path string, doc bson.Raw, out reflect.Value) *FieldError {
	elems, err := doc.Elements()
	if err != nil {
		return fieldErrorf(path, "malformed document: %v", err)
	}
	fields := structFields(out.Type())
	seen := make(map[string]bool, len(elems))
	var errs []*FieldError
	for _, e := range elems {
		key := e.Key()
		if seen[key] {
			errs = append(errs, fieldErrorf(joinPath(path, key), "duplicate key"))
			continue
		}
		seen[key] = true
		f, ok := fields.byName[key]
		if !ok {
			errs = append(errs, fieldErrorf(joinPath(path, key), "unknown field"))
			continue
		}
		if err := decodeValue(joinPath(path, key), e.Value(), out.Field(f.index), f.tag); err != nil {
			errs = append(errs, err)
		}
	}
	for _, f := range fields.list {
		if f.tag.required && !seen[f.tag.name] {
			errs = append(errs, fieldErrorf(joinPath(path, f.tag.name), "required field is missing"))
		}
	}
	if len(errs) > 0 {
		return joinErrors(errs)
	}
	if _, isOneOf := out.Addr().Interface().(oneOf); isOneOf && len(elems) != 1 {
		return fieldErrorf(path, "must have exactly one of %s, has %d keys", strings.Join(fields.names, ", "), len(elems))
	}
	if val, ok := out.Addr().Interface().(validator); ok {
		if err := val.validate(); err != nil {
			err.Path = joinPath(path, err.Path)
			return err
		}
	}
	return nil
}

type structField struct {
	index int
	tag   fieldTag
}

type structInfo struct {
	list   []structField
	byName map[string]structField
	names  []string
}

var structInfoCache sync.Map // reflect.Type -> *structInfo

// structFields reads the spec tags of a model struct, once per type.
func structFields(t reflect.Type) *structInfo {
	if info, ok := structInfoCache.Load(t); ok {
		return info.(*structInfo)
	}
	info := &structInfo{byName: map[string]structField{}}
	for i := 0; i < t.NumField(); i++ {
		raw, ok := t.Field(i).Tag.Lookup("spec")
		if !ok || raw == "-" {
			continue
		}
		f := structField{index: i, tag: parseTag(raw)}
		info.list = append(info.list, f)
		info.byName[f.tag.name] = f
		info.names = append(info.names, f.tag.name)
	}
	structInfoCache.Store(t, info)
	return info
}

// setField finds the one set pointer field of a oneOf struct: its key and value.
func setField(v oneOf) (string, reflect.Value) {
	rv := reflect.ValueOf(v).Elem()
	for _, f := range structFields(rv.Type()).list {
		if fv := rv.Field(f.index); !fv.IsNil() {
			return f.tag.name, fv
		}
	}
	return "", reflect.Value{}
}

// integerValue accepts what a JSON schema "integer" accepts: any BSON integer, and a
// double without a fractional part.
func integerValue(v bson.RawValue) (int64, bool) {
	switch v.Type {
	case bson.TypeInt32:
		return int64(v.Int32()), true
	case bson.TypeInt64:
		return v.Int64(), true
	case bson.TypeDouble:
		f := v.Double()
		if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return int64(f), true
		}
	}
	return 0, false
}

func typeError(path, want string, v bson.RawValue) *FieldError {
	return fieldErrorf(path, "must be %s, not %s", want, bsontext.Describe(v))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// reflectOf gives the settable value a pointer points to.
func reflectOf(p any) reflect.Value { return reflect.ValueOf(p).Elem() }
