package entities

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// TestUncreatable: what each kind and client option of createEntities gets from the
// one check, the refusal holding the field to point at and whose gap it is.
func TestUncreatable(t *testing.T) {
	tracing := &Refusal{Field: "observeTracingMessages", Reason: "observeTracingMessages: the Go driver has no tracing spans", Whose: DriverLimit}
	encryption := &Refusal{Field: "autoEncryptOpts", Reason: NoClientSideEncryption, Whose: ThisBuild}
	cases := []struct {
		name string
		spec specifications.Entity
		want *Refusal
	}{
		{"client", specifications.Entity{Client: &specifications.ClientEntity{ID: "c"}}, nil},
		{"client with autoEncryptOpts", specifications.Entity{Client: &specifications.ClientEntity{ID: "c", AutoEncryptOpts: &specifications.AutoEncryptOpts{}}}, encryption},
		{"client with observeTracingMessages", specifications.Entity{Client: &specifications.ClientEntity{ID: "c", ObserveTracingMessages: &specifications.ObserveTracingMessages{}}}, tracing},
		{"client with both: encryption first, as before the driver is asked", specifications.Entity{Client: &specifications.ClientEntity{ID: "c",
			AutoEncryptOpts: &specifications.AutoEncryptOpts{}, ObserveTracingMessages: &specifications.ObserveTracingMessages{}}}, encryption},
		{"clientEncryption", specifications.Entity{ClientEncryption: &specifications.ClientEncryptionEntity{ID: "e"}},
			&Refusal{Reason: NoClientSideEncryption, Whose: ThisBuild}},
		{"database", specifications.Entity{Database: &specifications.DatabaseEntity{ID: "d"}}, nil},
		{"collection", specifications.Entity{Collection: &specifications.CollectionEntity{ID: "c"}}, nil},
		{"session", specifications.Entity{Session: &specifications.SessionEntity{ID: "s"}}, nil},
		{"bucket", specifications.Entity{Bucket: &specifications.BucketEntity{ID: "b"}}, nil},
		{"thread", specifications.Entity{Thread: &specifications.ThreadEntity{ID: "t"}}, nil},
		{"no kind the check knows", specifications.Entity{},
			&Refusal{Reason: " entities is not implemented by specrun yet", Whose: SpecrunGap}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Uncreatable(&tc.spec); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Uncreatable = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestUncreatableAgreesWithCreate asks Create for an entity of every kind the model has
// (each with no parent defined, so none gets far), and for clients with each option the
// check refuses, and checks that Create does what Uncreatable says: a refused entity
// fails with the refusal's verdict (unsupported, or an error for specrun's gap), and
// NewClient refuses the same clients; an accepted one is built, or fails for another
// reason than a refusal (its parent is not defined).
func TestUncreatableAgreesWithCreate(t *testing.T) {
	ctx := context.Background()
	type named struct {
		name string
		spec specifications.Entity
	}
	var specs []named
	entity := reflect.TypeOf(specifications.Entity{})
	for i := range entity.NumField() {
		var spec specifications.Entity
		body := reflect.New(entity.Field(i).Type.Elem())
		body.Elem().FieldByName("ID").SetString("x")
		reflect.ValueOf(&spec).Elem().Field(i).Set(body)
		specs = append(specs, named{spec.Kind(), spec})
	}
	specs = append(specs,
		named{"client with autoEncryptOpts", specifications.Entity{Client: &specifications.ClientEntity{ID: "x", AutoEncryptOpts: &specifications.AutoEncryptOpts{}}}},
		named{"client with observeTracingMessages", specifications.Entity{Client: &specifications.ClientEntity{ID: "x", ObserveTracingMessages: &specifications.ObserveTracingMessages{}}}},
		named{"no kind", specifications.Entity{}},
	)
	cfg := ClientConfig{URI: "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=1"}
	for _, tc := range specs {
		spec := tc.spec
		t.Run(tc.name, func(t *testing.T) {
			m := NewMap()
			defer m.Close(ctx)
			err := m.Create(ctx, &spec, cfg)
			r := Uncreatable(&spec)
			var v *result.Verdict
			isVerdict := errors.As(err, &v)
			if r == nil {
				if isVerdict && (v.Status == result.Unsupported || v.Status == result.Error) || err != nil && strings.Contains(err.Error(), "internal error") {
					t.Errorf("Uncreatable accepts %s entities, Create refuses them: %v", spec.Kind(), err)
				}
				return
			}
			want := r.Err().(*result.Verdict)
			if !isVerdict || *v != *want {
				t.Errorf("Create says %v, Uncreatable refuses with %+v", err, *want)
			}
			if spec.Client == nil {
				return
			}
			c, err := NewClient(ctx, spec.Client, cfg)
			if c != nil {
				c.close(ctx)
			}
			if !errors.As(err, &v) || *v != *want {
				t.Errorf("NewClient says %v, Uncreatable refuses with %+v", err, *want)
			}
		})
	}
}
