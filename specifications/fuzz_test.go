package specifications

import (
	"testing"
)

// FuzzLoad feeds arbitrary bytes, as JSON and as YAML, through reading, format
// detection and decoding: a malformed fixture must be refused, never crash the run.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(minimalUnified))
	f.Add([]byte(crudV1))
	f.Add([]byte(commandMonitoring))
	f.Add([]byte(`{"description": "d", "schemaVersion": "2.0", "tests": [0]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range []string{"f.json", "f.yml"} {
			doc, err := ReadDocument(name, data)
			if err != nil {
				continue
			}
			file, ferr := decodeFile(doc, "")
			if ferr == nil && file != nil {
				for i := range file.CreateEntities {
					_ = file.CreateEntities[i].ID()
				}
			}
		}
	})
}
