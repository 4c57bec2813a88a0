package entities

import (
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/specrun/specrun/result"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/connstring"
)

func mustRaw(t *testing.T, d bson.D) bson.Raw {
	t.Helper()
	raw, err := bson.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestWithURIOptions(t *testing.T) {
	tests := []struct {
		name    string
		uri     string
		options bson.D
		want    string // the whole connection string; "" to skip that check
		query   url.Values
		// invalid: the driver refuses the value (the runner converts, it does not validate)
		invalid bool
	}{
		{
			name: "no options leave the URI alone",
			uri:  "mongodb://127.0.0.1:27017",
			want: "mongodb://127.0.0.1:27017",
		},
		{
			name:    "a slash goes before the query",
			uri:     "mongodb://127.0.0.1:27017",
			options: bson.D{{Key: "appname", Value: "x"}},
			want:    "mongodb://127.0.0.1:27017/?appname=x",
		},
		{
			name:    "an existing path is kept",
			uri:     "mongodb://h1,h2/admin?replicaSet=rs0",
			options: bson.D{{Key: "w", Value: "majority"}},
			want:    "mongodb://h1,h2/admin?replicaSet=rs0&w=majority",
		},
		{
			name:    "an option of the URI is replaced whatever its case",
			uri:     "mongodb://h/?retryWrites=true&RETRYREADS=true&w=1",
			options: bson.D{{Key: "retrywrites", Value: false}, {Key: "retryReads", Value: false}},
			query:   url.Values{"retrywrites": {"false"}, "retryReads": {"false"}, "w": {"1"}},
		},
		{
			name: "numbers",
			uri:  "mongodb://h/",
			options: bson.D{
				{Key: "heartbeatFrequencyMS", Value: int32(500)},
				{Key: "maxPoolSize", Value: int64(7)},
				{Key: "localThresholdMS", Value: 20.0},
				{Key: "zlibCompressionLevel", Value: 2.5},
			},
			query: url.Values{
				"heartbeatFrequencyMS": {"500"}, "maxPoolSize": {"7"},
				"localThresholdMS": {"20"}, "zlibCompressionLevel": {"2.5"},
			},
			invalid: true,
		},
		{
			name:    "readPreferenceTags: one parameter per tag set",
			uri:     "mongodb://h/",
			options: bson.D{{Key: "readPreference", Value: "secondary"}, {Key: "readPreferenceTags", Value: bson.A{"dc:ny,rack:1", ""}}},
			query:   url.Values{"readPreference": {"secondary"}, "readPreferenceTags": {"dc:ny,rack:1", ""}},
		},
		{
			name: "authMechanismProperties: K:V pairs",
			uri:  "mongodb://h/",
			options: bson.D{{Key: "authMechanismProperties", Value: bson.D{
				{Key: "SERVICE_NAME", Value: "other"}, {Key: "CANONICALIZE_HOST_NAME", Value: true},
			}}},
			query: url.Values{"authMechanismProperties": {"SERVICE_NAME:other,CANONICALIZE_HOST_NAME:true"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts bson.Raw
			if tt.options != nil {
				opts = mustRaw(t, tt.options)
			}
			got, err := withURIOptions(tt.uri, opts)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want != "" && got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
			if tt.query != nil {
				_, rawQuery, ok := strings.Cut(got, "?")
				if !ok {
					t.Fatalf("no query in %s", got)
				}
				q, err := url.ParseQuery(rawQuery)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(q, tt.query) {
					t.Errorf("query of %s:\n got  %v\n want %v", got, q, tt.query)
				}
			}
			if _, err := connstring.Parse(got); (err != nil) != tt.invalid {
				t.Errorf("the driver reads %s: %v (want invalid: %t)", got, err, tt.invalid)
			}
		})
	}
}

// The driver reads the repeated and K:V forms as the options they stand for.
func TestWithURIOptionsAsTheDriverReadsThem(t *testing.T) {
	opts := mustRaw(t, bson.D{
		{Key: "readPreference", Value: "secondary"},
		{Key: "readPreferenceTags", Value: bson.A{"dc:ny,rack:1", "dc:sf"}},
		{Key: "authMechanism", Value: "GSSAPI"},
		{Key: "authMechanismProperties", Value: bson.D{{Key: "SERVICE_NAME", Value: "other"}, {Key: "SERVICE_REALM", Value: "R"}}},
		{Key: "heartbeatFrequencyMS", Value: 500.0},
	})
	uri, err := withURIOptions("mongodb://user@h:27017/?heartbeatfrequencyms=10000", opts)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := connstring.Parse(uri)
	if err != nil {
		t.Fatal(err)
	}
	wantTags := []map[string]string{{"dc": "ny", "rack": "1"}, {"dc": "sf"}}
	if !reflect.DeepEqual(cs.ReadPreferenceTagSets, wantTags) {
		t.Errorf("tag sets %v, want %v", cs.ReadPreferenceTagSets, wantTags)
	}
	wantProps := map[string]string{"SERVICE_NAME": "other", "SERVICE_REALM": "R"}
	if !reflect.DeepEqual(cs.AuthMechanismProperties, wantProps) {
		t.Errorf("auth mechanism properties %v, want %v", cs.AuthMechanismProperties, wantProps)
	}
	if cs.HeartbeatInterval.Milliseconds() != 500 {
		t.Errorf("heartbeat %v, want 500ms (the test's value replaces the URI's)", cs.HeartbeatInterval)
	}
}

func TestWithURIOptionsRefuses(t *testing.T) {
	tests := []struct {
		name        string
		options     bson.D
		unsupported bool
	}{
		{"placeholder", bson.D{{Key: "authMechanismProperties", Value: bson.D{{Key: "$$placeholder", Value: 1}}}}, true},
		{"placeholder inside properties", bson.D{{Key: "authMechanismProperties", Value: bson.D{{Key: "ENVIRONMENT", Value: bson.D{{Key: "$$placeholder", Value: 1}}}}}}, true},
		{"tag set that is not a string", bson.D{{Key: "readPreferenceTags", Value: bson.A{bson.D{{Key: "dc", Value: "ny"}}}}}, false},
		{"null", bson.D{{Key: "w", Value: nil}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := withURIOptions("mongodb://h/", mustRaw(t, tt.options))
			if err == nil {
				t.Fatal("no error")
			}
			if got := result.Is(err, result.Unsupported); got != tt.unsupported {
				t.Errorf("unsupported = %t, want %t: %v", got, tt.unsupported, err)
			}
		})
	}
}
