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

// TestCanCreateAgreesWithCreate asks Create for an entity of every kind the model has
// (each with no parent defined, so none gets far) and checks that CanCreate says what
// Create does: a kind Create refuses as not implemented or unsupported, CanCreate
// refuses with the same reason; any other outcome means Create builds the kind.
func TestCanCreateAgreesWithCreate(t *testing.T) {
	ctx := context.Background()
	entity := reflect.TypeOf(specifications.Entity{})
	for i := range entity.NumField() {
		field := entity.Field(i)
		kind := Kind(strings.Split(field.Tag.Get("spec"), ",")[0])
		t.Run(string(kind), func(t *testing.T) {
			var spec specifications.Entity
			body := reflect.New(field.Type.Elem())
			body.Elem().FieldByName("ID").SetString("x")
			reflect.ValueOf(&spec).Elem().Field(i).Set(body)
			m := NewMap()
			defer m.Close(ctx)
			err := m.Create(ctx, &spec, ClientConfig{URI: "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=1"})

			var unsup *result.Verdict
			ok, reason := CanCreate(kind)
			switch {
			case result.Is(err, result.Error):
				if ok || reason != "" {
					t.Errorf("Create says %q, CanCreate says (%v, %q)", err, ok, reason)
				}
			case (errors.As(err, &unsup) && unsup.Status == result.Unsupported):
				if ok || reason != unsup.Reason {
					t.Errorf("Create says unsupported: %q, CanCreate says (%v, %q)", unsup.Reason, ok, reason)
				}
			default:
				if !ok {
					t.Errorf("Create builds %s entities (its outcome: %v), CanCreate says it cannot: add the kind to CanCreate", kind, err)
				}
			}
		})
	}
}

func TestCanCreateOtherKinds(t *testing.T) {
	for _, kind := range []Kind{KindCursor, KindValue, "no such kind"} {
		if ok, reason := CanCreate(kind); ok || reason != "" {
			t.Errorf("CanCreate(%s) = (%v, %q): createEntities cannot name it", kind, ok, reason)
		}
	}
}
