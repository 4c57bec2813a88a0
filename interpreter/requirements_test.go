package interpreter

import (
	"reflect"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/specifications"
)

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in   string
		want []int64
	}{
		{"4.2", []int64{4, 2}},
		{"4.0.10", []int64{4, 0, 10}},
		{"7.0.42", []int64{7, 0, 42}},
		{"8.0.0-rc1", []int64{8, 0, 0}},
		{"4.4.0-alpha-123-g0123", []int64{4, 4, 0}},
		{"1.2.3.4", []int64{1, 2, 3}},
		{"5", []int64{5}},
		{"", nil},
		{"x.1", nil},
	}
	for _, tt := range tests {
		if got := parseVersion(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseVersion(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"4.2", "4.2.0", 0},
		{"4.2.0", "4.2", 0},
		{"4.0.10", "4.0.9", 1},
		{"4.0.9", "4.0.10", -1},
		{"7.0.42", "7.1.0", -1},
		{"7.1.0", "7.0.42", 1},
		{"3.6", "4.0.10", -1},
		{"4.0.10", "4.2.0", -1},
		{"10.0", "9.9.9", 1},
		{"4.2.1", "4.2", 1},
		{"4", "4.0.0", 0},
	}
	for _, tt := range tests {
		if got := compareVersions(parseVersion(tt.a), parseVersion(tt.b)); got != tt.want {
			t.Errorf("compareVersions(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func rawDoc(t *testing.T, d bson.D) bson.Raw {
	t.Helper()
	raw, err := bson.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func server(version string) *Probe {
	return &Probe{Version: version, VersionArray: parseVersion(version), Topology: "single"}
}

func TestRequirementMet(t *testing.T) {
	params := rawDoc(t, bson.D{
		{Key: "enableTestCommands", Value: int32(1)},
		{Key: "requireApiVersion", Value: false},
		{Key: "transactionLifetimeLimitSeconds", Value: 1.0},
		{Key: "authenticationMechanisms", Value: bson.A{"SCRAM-SHA-1", "SCRAM-SHA-256"}},
	})
	with := func(s *Probe, edit func(*Probe)) *Probe { edit(s); return s }
	yes, no := true, false

	tests := []struct {
		name   string
		server *Probe
		req    specifications.RunOnRequirement
		// why is "" when the requirement must hold, else a part of the reason.
		why string
	}{
		{"min equal", server("4.2.0"), specifications.RunOnRequirement{MinServerVersion: "4.2"}, ""},
		{"min below", server("4.0.10"), specifications.RunOnRequirement{MinServerVersion: "4.2"}, "needs server version >= 4.2, server is 4.0.10"},
		{"min component-wise", server("4.0.10"), specifications.RunOnRequirement{MinServerVersion: "4.0.9"}, ""},
		{"max inclusive", server("4.2.0"), specifications.RunOnRequirement{MaxServerVersion: "4.2"}, ""},
		{"max above", server("4.2.1"), specifications.RunOnRequirement{MaxServerVersion: "4.2"}, "needs server version <= 4.2, server is 4.2.1"},
		{"max 7.0.42 vs 7.1.0", server("7.0.42"), specifications.RunOnRequirement{MaxServerVersion: "7.1.0"}, ""},
		{"min 7.1.0 vs 7.0.42", server("7.0.42"), specifications.RunOnRequirement{MinServerVersion: "7.1.0"}, "needs server version >= 7.1.0"},
		{"min and max", server("5.0.3"), specifications.RunOnRequirement{MinServerVersion: "4.4", MaxServerVersion: "6.0.99"}, ""},

		// Legacy CRUD v1: maxServerVersion excludes the bound.
		{"exclusive max equal", server("4.0.0"), specifications.RunOnRequirement{MaxServerVersion: "4.0", MaxServerVersionExclusive: true}, "needs server version < 4.0, server is 4.0.0"},
		{"exclusive max below", server("3.6.23"), specifications.RunOnRequirement{MaxServerVersion: "4.0", MaxServerVersionExclusive: true}, ""},
		{"exclusive max above", server("4.0.5"), specifications.RunOnRequirement{MaxServerVersion: "4.0", MaxServerVersionExclusive: true}, "needs server version < 4.0"},

		// Legacy command monitoring: bounds compare major.minor only.
		{"major.minor max", server("4.0.5"), specifications.RunOnRequirement{MaxServerVersion: "4.0", MajorMinorOnly: true}, ""},
		{"major.minor min", server("4.0.5"), specifications.RunOnRequirement{MinServerVersion: "4.0", MajorMinorOnly: true}, ""},
		{"full max", server("4.0.5"), specifications.RunOnRequirement{MaxServerVersion: "4.0"}, "needs server version <= 4.0, server is 4.0.5"},
		{"major.minor above", server("4.2.0"), specifications.RunOnRequirement{MaxServerVersion: "4.0", MajorMinorOnly: true}, "needs server version <= 4.0"},

		{"topology", server("7.0.0"), specifications.RunOnRequirement{Topologies: []string{"single", "replicaset"}}, ""},
		{"topology not listed", server("7.0.0"), specifications.RunOnRequirement{Topologies: []string{"replicaset", "sharded"}}, "needs topology replicaset or sharded, server is single"},
		{"sharded accepts sharded-replicaset", with(server("7.0.0"), func(s *Probe) { s.Topology, s.ShardedRS = "sharded", true }),
			specifications.RunOnRequirement{Topologies: []string{"sharded"}}, ""},
		{"sharded without replica sets", with(server("7.0.0"), func(s *Probe) { s.Topology = "sharded" }),
			specifications.RunOnRequirement{Topologies: []string{"sharded"}}, ""},
		{"sharded-replicaset needs replica set shards", with(server("7.0.0"), func(s *Probe) { s.Topology = "sharded" }),
			specifications.RunOnRequirement{Topologies: []string{"sharded-replicaset"}}, "needs topology sharded-replicaset, server is sharded"},
		{"sharded-replicaset", with(server("7.0.0"), func(s *Probe) { s.Topology, s.ShardedRS = "sharded", true }),
			specifications.RunOnRequirement{Topologies: []string{"sharded-replicaset"}}, ""},
		{"sharded-replicaset is not a replica set", with(server("7.0.0"), func(s *Probe) { s.Topology = "replicaset" }),
			specifications.RunOnRequirement{Topologies: []string{"sharded-replicaset"}}, "needs topology sharded-replicaset"},
		{"load-balanced", with(server("7.0.0"), func(s *Probe) { s.Topology = "load-balanced" }),
			specifications.RunOnRequirement{Topologies: []string{"load-balanced"}}, ""},

		{"serverless require", server("7.0.0"), specifications.RunOnRequirement{Serverless: "require"}, "needs Atlas Serverless"},
		{"serverless forbid", server("7.0.0"), specifications.RunOnRequirement{Serverless: "forbid"}, ""},
		{"serverless allow", server("7.0.0"), specifications.RunOnRequirement{Serverless: "allow"}, ""},

		{"auth true, no auth", server("7.0.0"), specifications.RunOnRequirement{Auth: &yes}, "needs authentication"},
		{"auth true, auth", with(server("7.0.0"), func(s *Probe) { s.Auth = true }), specifications.RunOnRequirement{Auth: &yes}, ""},
		{"auth false, no auth", server("7.0.0"), specifications.RunOnRequirement{Auth: &no}, ""},
		{"auth false, auth", with(server("7.0.0"), func(s *Probe) { s.Auth = true }), specifications.RunOnRequirement{Auth: &no}, "needs authentication off"},

		{"auth mechanism, any case", with(server("7.0.0"), func(s *Probe) { s.Parameters = params }),
			specifications.RunOnRequirement{AuthMechanism: "scram-sha-256"}, ""},
		{"auth mechanism missing", with(server("7.0.0"), func(s *Probe) { s.Parameters = params }),
			specifications.RunOnRequirement{AuthMechanism: "MONGODB-X509"}, "needs authentication mechanism MONGODB-X509"},
		{"auth mechanism, no parameters", server("7.0.0"), specifications.RunOnRequirement{AuthMechanism: "SCRAM-SHA-256"}, "needs authentication mechanism"},

		{"csfle required", server("7.0.0"), specifications.RunOnRequirement{CSFLE: &specifications.CSFLE{Required: true}}, "client-side encryption"},
		{"csfle with min libmongocrypt", server("7.0.0"), specifications.RunOnRequirement{CSFLE: &specifications.CSFLE{Required: true, MinLibmongocryptVersion: "1.8.0"}}, "client-side encryption"},
		{"csfle false", server("7.0.0"), specifications.RunOnRequirement{CSFLE: &specifications.CSFLE{}}, ""},

		{"parameter int32 vs double", with(server("7.0.0"), func(s *Probe) { s.Parameters = params }),
			specifications.RunOnRequirement{ServerParameters: rawDoc(t, bson.D{{Key: "enableTestCommands", Value: 1.0}})}, ""},
		{"parameter double vs int64", with(server("7.0.0"), func(s *Probe) { s.Parameters = params }),
			specifications.RunOnRequirement{ServerParameters: rawDoc(t, bson.D{{Key: "transactionLifetimeLimitSeconds", Value: int64(1)}})}, ""},
		{"parameter bool", with(server("7.0.0"), func(s *Probe) { s.Parameters = params }),
			specifications.RunOnRequirement{ServerParameters: rawDoc(t, bson.D{{Key: "requireApiVersion", Value: false}, {Key: "enableTestCommands", Value: int32(1)}})}, ""},
		{"parameter differs", with(server("7.0.0"), func(s *Probe) { s.Parameters = params }),
			specifications.RunOnRequirement{ServerParameters: rawDoc(t, bson.D{{Key: "enableTestCommands", Value: int32(0)}})}, "needs server parameter enableTestCommands"},
		{"parameter missing", with(server("7.0.0"), func(s *Probe) { s.Parameters = params }),
			specifications.RunOnRequirement{ServerParameters: rawDoc(t, bson.D{{Key: "storageEngine", Value: "wiredTiger"}})}, "needs server parameter storageEngine, which the server does not report"},
		{"parameters refused by the server", server("7.0.0"),
			specifications.RunOnRequirement{ServerParameters: rawDoc(t, bson.D{{Key: "enableTestCommands", Value: int32(1)}})}, "does not report"},

		{"every condition at once", with(server("7.0.0"), func(s *Probe) { s.Topology, s.ShardedRS, s.Auth, s.Parameters = "sharded", true, true, params }),
			specifications.RunOnRequirement{MinServerVersion: "6.0", MaxServerVersion: "7.0.0", Topologies: []string{"sharded-replicaset"}, Auth: &yes,
				AuthMechanism: "SCRAM-SHA-1", Serverless: "forbid", ServerParameters: rawDoc(t, bson.D{{Key: "enableTestCommands", Value: int64(1)}})}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.server.requirementMet(&tt.req)
			switch {
			case tt.why == "" && got != "":
				t.Errorf("not met: %s", got)
			case tt.why != "" && got == "":
				t.Errorf("met, want not met (%s)", tt.why)
			case !strings.Contains(got, tt.why):
				t.Errorf("reason %q, want it to contain %q", got, tt.why)
			}
		})
	}
}

func TestRequirementsMetAlternatives(t *testing.T) {
	s := server("4.4.1")
	old := specifications.RunOnRequirement{MaxServerVersion: "4.0"}
	repl := specifications.RunOnRequirement{Topologies: []string{"replicaset"}}
	newer := specifications.RunOnRequirement{MinServerVersion: "4.4"}

	if ok, why := s.requirementsMet(nil); !ok || why != "" {
		t.Errorf("no requirements: %t %q", ok, why)
	}
	if ok, why := s.requirementsMet([]specifications.RunOnRequirement{old, repl, newer}); !ok || why != "" {
		t.Errorf("one of three met: %t %q", ok, why)
	}
	ok, why := s.requirementsMet([]specifications.RunOnRequirement{old})
	if ok || why != "needs server version <= 4.0, server is 4.4.1" {
		t.Errorf("one unmet: %t %q", ok, why)
	}
	ok, why = s.requirementsMet([]specifications.RunOnRequirement{old, repl})
	want := "none of the runOnRequirements is met: needs server version <= 4.0, server is 4.4.1; needs topology replicaset, server is single"
	if ok || why != want {
		t.Errorf("two unmet: %t\n got  %q\n want %q", ok, why, want)
	}
}

func TestCheckLoadBalancers(t *testing.T) {
	lb := &Probe{Topology: "load-balanced"}
	both := Config{SingleMongosLBURI: "mongodb://lb1", MultiMongosLBURI: "mongodb://lb2"}
	if err := checkLoadBalancers(lb, both); err != nil {
		t.Errorf("both given: %v", err)
	}
	if err := checkLoadBalancers(lb, Config{SingleMongosLBURI: "mongodb://lb1"}); err == nil {
		t.Error("one missing: no error")
	}
	if err := checkLoadBalancers(&Probe{Topology: "sharded"}, Config{}); err != nil {
		t.Errorf("sharded needs none: %v", err)
	}
}

func TestTransactionsSupported(t *testing.T) {
	commit := map[string]bool{"commitTransaction": true}
	for _, tt := range []struct {
		topology string
		wire     int32
		commands map[string]bool
		want     bool
	}{
		{"single", 25, commit, false},
		{"replicaset", 6, commit, false},
		{"replicaset", 7, commit, true},
		{"replicaset", 7, nil, true}, // listCommands refused: the rule alone decides
		{"replicaset", 21, map[string]bool{"find": true}, false},
		{"sharded", 7, commit, false},
		{"sharded", 8, commit, true},
		{"load-balanced", 13, commit, true},
	} {
		s := &Probe{Topology: tt.topology, MaxWireVersion: tt.wire, Commands: tt.commands}
		if got := transactionsSupported(s); got != tt.want {
			t.Errorf("%s, wire %d, commands %v: %t, want %t", tt.topology, tt.wire, tt.commands, got, tt.want)
		}
	}
}
