package entities

import (
	"errors"
	"testing"

	"github.com/specrun/specrun/result"
)

func TestClientURI(t *testing.T) {
	yes, no := true, false
	lb := Deployment{Topology: "load-balanced", SingleMongosLBURI: "mongodb://lb1/?loadBalanced=true", MultiMongosLBURI: "mongodb://lb2/?loadBalanced=true"}
	sharded := Deployment{Topology: "sharded"}
	const two = "mongodb://u:p@h1:27017,h2:27018/db?tls=true"
	tests := []struct {
		name     string
		uri      string
		d        Deployment
		multiple *bool
		want     string
		unsup    bool // an Unsupported error
		err      bool // another error
	}{
		{"single: no effect", "mongodb://h1", Deployment{Topology: "single"}, &no, "mongodb://h1", false, false},
		{"replica set: no effect", two, Deployment{Topology: "replicaset"}, &yes, two, false, false},
		{"sharded, unset: no limit", two, sharded, nil, two, false, false},
		{"sharded, true, two hosts", two, sharded, &yes, two, false, false},
		{"sharded, true, one host", "mongodb://h1:27017/", sharded, &yes, "", true, false},
		{"sharded, false: the first host", two, sharded, &no, "mongodb://u:p@h1:27017/db?tls=true", false, false},
		{"sharded, false, no path", "mongodb://h1,h2", sharded, &no, "mongodb://h1", false, false},
		{"sharded, false, srv", "mongodb+srv://cluster.example.com/", sharded, &no, "", true, false},
		{"sharded, true, srv", "mongodb+srv://cluster.example.com/", sharded, &yes, "mongodb+srv://cluster.example.com/", false, false},
		{"load-balanced, unset: several", "mongodb://lb", lb, nil, lb.MultiMongosLBURI, false, false},
		{"load-balanced, true: several", "mongodb://lb", lb, &yes, lb.MultiMongosLBURI, false, false},
		{"load-balanced, false: one", "mongodb://lb", lb, &no, lb.SingleMongosLBURI, false, false},
		{"load-balanced, no LB URI", "mongodb://lb", Deployment{Topology: "load-balanced"}, &no, "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := clientURI(tt.uri, tt.d, tt.multiple)
			var unsup *result.Verdict
			switch {
			case tt.unsup:
				if !(errors.As(err, &unsup) && unsup.Status == result.Unsupported) {
					t.Errorf("got %q, %v; want Unsupported", got, err)
				}
			case tt.err:
				if err == nil || (errors.As(err, &unsup) && unsup.Status == result.Unsupported) {
					t.Errorf("got %q, %v; want an error", got, err)
				}
			case err != nil || got != tt.want:
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}
