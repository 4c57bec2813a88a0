package matchers

import (
	"testing"
)

func TestAppendFields(t *testing.T) {
	valid := value(`{"a": 1, "b": "x", "c": {"d": [true, null]}, "r": {"$regularExpression": {"pattern": "p", "options": "i"}}}`).Value
	fields, err := appendFields(nil, valid)
	if err != nil || len(fields) != 4 || string(fields[3].key) != "r" {
		t.Fatalf("valid document: %v %v", fields, err)
	}
	for _, c := range []struct {
		name string
		doc  []byte
	}{
		{"empty input", []byte{}},
		{"shorter than a document", []byte{5, 0, 0, 0}},
		{"length below 5", []byte{4, 0, 0, 0, 0}},
		{"length beyond input", []byte{6, 0, 0, 0, 0}},
		{"negative length", []byte{0xff, 0xff, 0xff, 0xff, 0}},
		{"no terminator", []byte{5, 0, 0, 0, 1}},
		{"key not terminated", []byte{7, 0, 0, 0, 0x10, 'a', 0}},
		{"value cut short", []byte{9, 0, 0, 0, 0x10, 'a', 0, 1, 0}},
		{"unknown type", []byte{8, 0, 0, 0, 0x20, 'a', 0, 0}},
		{"negative string length", []byte{12, 0, 0, 0, 0x02, 'a', 0, 0xff, 0xff, 0xff, 0xff, 0}},
		{"string longer than document", []byte{13, 0, 0, 0, 0x02, 'a', 0, 9, 0, 0, 0, 'x', 0}},
		{"regex not terminated", []byte{9, 0, 0, 0, 0x0b, 'a', 0, 'p', 0}},
		{"elements short of the length", []byte{9, 0, 0, 0, 0x0a, 'a', 0, 0, 0}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if fields, err := appendFields(nil, c.doc); err == nil {
				t.Errorf("read %v", fields)
			}
		})
	}
}
