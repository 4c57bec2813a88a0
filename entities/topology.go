package entities

import (
	"fmt"
	"strings"

	"github.com/specrun/specrun/result"
)

// Deployment is what a client entity's connection string depends on besides the run's
// URI (UTF "Initializing the Test Runner" and useMultipleMongoses): the topology the
// runner found and the URIs of the two load balancers of a load-balanced cluster.
type Deployment struct {
	Topology          string // as interpreter.Server.Topology: single, replicaset, sharded, load-balanced
	SingleMongosLBURI string // a load balancer fronting one mongos
	MultiMongosLBURI  string // a load balancer fronting several
}

// clientURI picks the connection string of a client entity. Load-balanced: the
// load balancer fronting several mongoses unless useMultipleMongoses is false. Sharded:
// true requires several hosts in the URI, false keeps only the first. Otherwise the
// option has no effect.
func clientURI(uri string, d Deployment, useMultipleMongoses *bool) (string, error) {
	multiple := useMultipleMongoses == nil || *useMultipleMongoses
	switch d.Topology {
	case "load-balanced":
		lb, name := d.MultiMongosLBURI, "MULTI_MONGOS_LB_URI"
		if !multiple {
			lb, name = d.SingleMongosLBURI, "SINGLE_MONGOS_LB_URI"
		}
		if lb == "" {
			return "", fmt.Errorf("the server is load-balanced and no %s is given", name)
		}
		return lb, nil
	case "sharded":
		if useMultipleMongoses == nil {
			return uri, nil
		}
		if strings.HasPrefix(uri, "mongodb+srv://") {
			if multiple {
				return uri, nil // an SRV record names the mongoses
			}
			return "", result.Unsupportedf("useMultipleMongoses: false needs one mongos, and a mongodb+srv URI cannot name one")
		}
		hosts, rebuild, err := splitHosts(uri)
		if err != nil {
			return "", err
		}
		if multiple {
			if len(hosts) < 2 {
				return "", result.Unsupportedf("useMultipleMongoses: the URI names one mongos, the test needs several")
			}
			return uri, nil
		}
		return rebuild(hosts[:1]), nil
	}
	return uri, nil
}

// splitHosts returns the hosts of a mongodb:// URI and a function that rebuilds the URI
// with other hosts (credentials, database and options kept).
func splitHosts(uri string) ([]string, func([]string) string, error) {
	const scheme = "mongodb://"
	if !strings.HasPrefix(uri, scheme) {
		return nil, nil, fmt.Errorf("not a mongodb:// URI: %s", uri)
	}
	rest := uri[len(scheme):]
	end := strings.IndexAny(rest, "/?")
	if end < 0 {
		end = len(rest)
	}
	authority, tail := rest[:end], rest[end:]
	userinfo := ""
	if at := strings.LastIndex(authority, "@"); at >= 0 {
		userinfo, authority = authority[:at+1], authority[at+1:]
	}
	rebuild := func(hosts []string) string { return scheme + userinfo + strings.Join(hosts, ",") + tail }
	return strings.Split(authority, ","), rebuild, nil
}
