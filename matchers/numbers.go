package matchers

import (
	"cmp"
	"math"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// number is an int32, int64 or double, the types that compare by value.
// Decimal128 is not one of them: the spec excludes it from flexible numerics.
type number struct {
	isDouble bool
	i        int64
	f        float64
}

func numberOf(v bson.RawValue) (number, bool) {
	switch v.Type {
	case bson.TypeInt32:
		i, ok := v.Int32OK()
		return number{i: int64(i)}, ok
	case bson.TypeInt64:
		i, ok := v.Int64OK()
		return number{i: i}, ok
	case bson.TypeDouble:
		f, ok := v.DoubleOK()
		return number{isDouble: true, f: f}, ok
	}
	return number{}, false
}

// equal compares by value. NaN equals NaN: an expectation of NaN can only mean
// NaN, and a value must match itself.
func (n number) equal(o number) bool {
	if c, ok := n.compare(o); ok {
		return c == 0
	}
	return n.isDouble && o.isDouble && math.IsNaN(n.f) && math.IsNaN(o.f)
}

// compare returns -1, 0 or +1 as n is less than, equal to or greater than o,
// exactly (no conversion of large integers to double); ok is false for NaN.
func (n number) compare(o number) (c int, ok bool) {
	switch {
	case !n.isDouble && !o.isDouble:
		return cmp.Compare(n.i, o.i), true
	case n.isDouble && o.isDouble:
		if math.IsNaN(n.f) || math.IsNaN(o.f) {
			return 0, false
		}
		return cmp.Compare(n.f, o.f), true
	case o.isDouble:
		return compareIntDouble(n.i, o.f)
	default:
		c, ok := compareIntDouble(o.i, n.f)
		return -c, ok
	}
}

func compareIntDouble(i int64, f float64) (int, bool) {
	switch {
	case math.IsNaN(f):
		return 0, false
	case f >= 0x1p63: // also +Inf
		return -1, true
	case f < -0x1p63: // also -Inf
		return 1, true
	}
	// f is in int64 range, so its integral part converts exactly.
	whole := math.Trunc(f)
	if c := cmp.Compare(i, int64(whole)); c != 0 {
		return c, true
	}
	return cmp.Compare(0, f-whole), true
}

// positiveInteger returns the value of a number that is a whole number greater
// than zero, as cursor ids and error codes are.
func positiveInteger(v bson.RawValue) (int64, bool) {
	n, ok := numberOf(v)
	switch {
	case !ok:
		return 0, false
	case !n.isDouble:
		return n.i, n.i > 0
	case n.f >= 1 && n.f < 0x1p63 && n.f == math.Trunc(n.f):
		return int64(n.f), true
	}
	return 0, false
}
