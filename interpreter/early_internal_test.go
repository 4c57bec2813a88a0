package interpreter

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/specrun/specrun/specifications"
)

func TestUsesQueryableEncryption(t *testing.T) {
	const plain = `{"client": {"id": "c"}}, {"database": {"id": "d", "client": "c", "databaseName": "db"}}`
	for _, c := range []struct {
		name                string
		entities, data, ops string
		want                bool
	}{
		{"plain", plain, `{"databaseName": "db", "collectionName": "x", "documents": []}`,
			`{"name": "createCollection", "object": "d", "arguments": {"collection": "y"}}`, false},
		{"initialData with encryptedFields", plain,
			`{"databaseName": "db", "collectionName": "x", "createOptions": {"encryptedFields": {"fields": []}}, "documents": []}`,
			`{"name": "createCollection", "object": "d", "arguments": {"collection": "y"}}`, true},
		{"createCollection with encryptedFields", plain, `{"databaseName": "db", "collectionName": "x", "documents": []}`,
			`{"name": "createCollection", "object": "d", "arguments": {"collection": "y", "encryptedFields": {"fields": []}}}`, true},
		{"automatic encryption", `{"client": {"id": "c", "autoEncryptOpts": {"keyVaultNamespace": "k.v", "kmsProviders": {"local": {}}}}}, {"database": {"id": "d", "client": "c", "databaseName": "db"}}`,
			`{"databaseName": "db", "collectionName": "x", "documents": []}`,
			`{"name": "createCollection", "object": "d", "arguments": {"collection": "y"}}`, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			fixture := `{"description": "qe", "schemaVersion": "1.8", "createEntities": [` + c.entities + `],
			  "initialData": [` + c.data + `], "tests": [{"description": "t", "operations": [` + c.ops + `]}]}`
			path := filepath.Join(t.TempDir(), "qe.json")
			if err := os.WriteFile(path, []byte(fixture), 0o644); err != nil {
				t.Fatal(err)
			}
			lr := specifications.Load(specifications.Source{Path: path, ID: "qe"}, false)
			if lr.Kind != specifications.Loaded {
				t.Fatal(lr.Err)
			}
			if got := usesQueryableEncryption(lr.File); got != c.want {
				t.Errorf("got %t, want %t", got, c.want)
			}
		})
	}
}
