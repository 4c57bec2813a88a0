package specifications

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDatabaseNames(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.json")
	require.NoError(t, os.WriteFile(path, []byte(`{
  "description": "d", "schemaVersion": "1.0",
  "createEntities": [
    {"client": {"id": "c"}},
    {"database": {"id": "d0", "client": "c", "databaseName": "db-a"}},
    {"database": {"id": "d1", "client": "c", "databaseName": "db-b"}}
  ],
  "initialData": [{"collectionName": "x", "databaseName": "db-a", "documents": []},
                  {"collectionName": "y", "databaseName": "db-c", "documents": []}],
  "tests": [{"description": "t", "operations": [],
             "outcome": [{"collectionName": "z", "databaseName": "db-d", "documents": []}]}]
}`), 0o644))
	lr := Load(Source{Path: path, ID: "x/f"}, false)
	require.Equal(t, Loaded, lr.Kind, "%v", lr.Err)
	assert.Equal(t, []string{"db-a", "db-b", "db-c", "db-d"}, lr.File.DatabaseNames())

	crud := filepath.Join(dir, "v1.json")
	require.NoError(t, os.WriteFile(crud, []byte(`{"data": [], "tests": [{"description": "t",
  "operation": {"name": "find", "arguments": {"filter": {}}}, "outcome": {"result": []}}]}`), 0o644))
	lr = Load(Source{Path: crud, ID: "crud/v1/x"}, false)
	require.Equal(t, Loaded, lr.Kind, "%v", lr.Err)
	assert.Equal(t, []string{LegacyCRUDDatabaseName}, lr.File.DatabaseNames(), "translated files name their fixed database")
}
