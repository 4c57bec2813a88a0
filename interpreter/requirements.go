package interpreter

import (
	"fmt"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/matchers"
	"github.com/specrun/specrun/specifications"
)

// requirementsMet says whether one of the alternatives is satisfied by the server, and
// if none is, why (one clause per alternative).
func (s *Probe) requirementsMet(reqs []specifications.RunOnRequirement) (bool, string) {
	if len(reqs) == 0 {
		return true, ""
	}
	var why []string
	for i := range reqs {
		reason := s.requirementMet(&reqs[i])
		if reason == "" {
			return true, ""
		}
		why = append(why, reason)
	}
	if len(why) == 1 {
		return false, why[0]
	}
	return false, "none of the runOnRequirements is met: " + strings.Join(why, "; ")
}

// requirementMet returns "" when r holds, else what does not.
func (s *Probe) requirementMet(r *specifications.RunOnRequirement) string {
	version := s.VersionArray
	if r.MajorMinorOnly && len(version) > 2 {
		version = version[:2]
	}
	if r.MinServerVersion != "" && compareVersions(version, parseVersion(r.MinServerVersion)) < 0 {
		return fmt.Sprintf("needs server version >= %s, server is %s", r.MinServerVersion, s.Version)
	}
	if r.MaxServerVersion != "" {
		c := compareVersions(version, parseVersion(r.MaxServerVersion))
		if c > 0 || (c == 0 && r.MaxServerVersionExclusive) {
			op := "<="
			if r.MaxServerVersionExclusive {
				op = "<"
			}
			return fmt.Sprintf("needs server version %s %s, server is %s", op, r.MaxServerVersion, s.Version)
		}
	}
	if r.Topologies != nil && !s.topologyIn(r.Topologies) {
		return fmt.Sprintf("needs topology %s, server is %s", strings.Join(r.Topologies, " or "), s.Topology)
	}
	if r.Serverless == "require" {
		return "needs Atlas Serverless"
	}
	if r.Auth != nil && *r.Auth != s.Auth {
		if *r.Auth {
			return "needs authentication, the connection string has no credentials"
		}
		return "needs authentication off, the connection string has credentials"
	}
	if r.AuthMechanism != "" && !s.hasAuthMechanism(r.AuthMechanism) {
		return fmt.Sprintf("needs authentication mechanism %s on the server", r.AuthMechanism)
	}
	if r.CSFLE != nil && r.CSFLE.Required {
		return "needs client-side encryption, which this specrun build does not have"
	}
	if r.ServerParameters != nil {
		if why := s.parametersMatch(r.ServerParameters); why != "" {
			return why
		}
	}
	return ""
}

func (s *Probe) topologyIn(list []string) bool {
	for _, t := range list {
		switch {
		case t == s.Topology:
			return true
		case t == "sharded-replicaset" && s.Topology == "sharded" && s.ShardedRS:
			return true
		}
	}
	return false
}

func (s *Probe) hasAuthMechanism(name string) bool {
	mechs, ok := s.Parameters.Lookup("authenticationMechanisms").ArrayOK()
	if !ok {
		return false
	}
	vals, _ := mechs.Values()
	return slices.ContainsFunc(vals, func(v bson.RawValue) bool {
		s, _ := v.StringValueOK()
		return strings.EqualFold(s, name)
	})
}

// parametersMatch compares serverParameters with getParameter's answer, numbers by
// value (the spec's flexible numeric comparison); a parameter the server does not report
// is a mismatch.
func (s *Probe) parametersMatch(want bson.Raw) string {
	elems, _ := want.Elements()
	for _, el := range elems {
		got := s.Parameters.Lookup(el.Key())
		if got.Type == 0 {
			return fmt.Sprintf("needs server parameter %s, which the server does not report", el.Key())
		}
		if err := matchers.Unified(nil).Match(el.Value(), got, matchers.Nested); err != nil {
			return fmt.Sprintf("needs server parameter %s = %s, server has %s", el.Key(), el.Value(), got)
		}
	}
	return ""
}
