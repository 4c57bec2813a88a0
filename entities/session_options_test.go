package entities

import (
	"strings"
	"testing"

	"github.com/specrun/specrun/result"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// snapshotTime in sessionOptions names a saved value (the Unified Test Format,
// "getSnapshotTime").
func TestSessionOptionsSnapshotTime(t *testing.T) {
	m := NewMap()
	ts := bson.Timestamp{T: 1700000000, I: 3}
	tsType, tsData, _ := bson.MarshalValue(ts)
	for id, v := range map[string]bson.RawValue{
		"time0":  {Type: tsType, Value: tsData},
		"count0": {Type: bson.TypeInt32, Value: []byte{1, 0, 0, 0}},
	} {
		if err := m.Add(id, &Value{Value: v}); err != nil {
			t.Fatal(err)
		}
	}
	opts, err := m.SessionOptions(mustRaw(t, bson.D{{Key: "snapshot", Value: true}, {Key: "snapshotTime", Value: "time0"}}))
	if err != nil {
		t.Fatal(err)
	}
	var got options.SessionOptions
	for _, set := range opts.List() {
		if err := set(&got); err != nil {
			t.Fatal(err)
		}
	}
	if got.SnapshotTime == nil || *got.SnapshotTime != ts || got.Snapshot == nil || !*got.Snapshot {
		t.Errorf("options %+v", got)
	}

	for value, want := range map[any]string{
		"time9":  `sessionOptions.snapshotTime: entity "time9" is not defined`,
		"count0": `sessionOptions.snapshotTime: entity "count0" is a 32-bit integer, not a timestamp`,
		int32(1): "sessionOptions.snapshotTime: must be the name of a saved timestamp",
	} {
		_, err := m.SessionOptions(mustRaw(t, bson.D{{Key: "snapshot", Value: true}, {Key: "snapshotTime", Value: value}}))
		if err == nil || !strings.EqualFold(err.Error(), want) {
			t.Errorf("snapshotTime %v: %v, want %s", value, err, want)
		}
	}

	_, err = m.SessionOptions(mustRaw(t, bson.D{{Key: "defaultTimeoutMS", Value: 100}}))
	if u, ok := err.(*result.Verdict); !ok || u.Status != result.Unsupported || u.Reason != "sessionOptions.defaultTimeoutMS: the Go driver v2 sets timeouts per client only" {
		t.Errorf("defaultTimeoutMS: %v", err)
	}
}
