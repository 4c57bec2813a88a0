package matchers_test

import (
	"errors"
	"fmt"

	"github.com/specrun/specrun/matchers"
	"go.mongodb.org/mongo-driver/v2/bson"
)

func mustParse(extJSON string) bson.RawValue {
	var doc bson.Raw
	if err := bson.UnmarshalExtJSON([]byte(extJSON), false, &doc); err != nil {
		panic(err)
	}
	return matchers.Doc(doc)
}

func Example() {
	expected := mustParse(`{"getMore": {"$$type": ["int", "long"]}, "collection": "coll", "batchSize": 2}`)
	actual := mustParse(`{"getMore": {"$numberLong": "123"}, "collection": "coll", "batchSize": {"$numberLong": "3"}, "lsid": {}}`)

	err := matchers.Unified(nil).Match(expected, actual, matchers.Root)
	var mismatch *matchers.Mismatch
	if errors.As(err, &mismatch) {
		fmt.Println(mismatch.Path)
		fmt.Println(err)
	}
	// Output:
	// batchSize
	// batchSize: expected int32 2, got int64 3
}
