package architecture

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoEmbeddedBuild: go build -tags noembedded ./cmd/specrun leaves out the embedded
// server, FerretDB and the database drivers it brings (SQLite, PostgreSQL, MySQL, SAP
// HANA), and only the embedded package and cmd/specrun's embedded_on.go import it.
func TestNoEmbeddedBuild(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-tags", "noembedded", "github.com/specrun/specrun/cmd/specrun").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 {
		t.Fatalf("only %d packages listed: go list is broken", len(deps))
	}
	for _, dep := range deps {
		for _, left := range []string{"github.com/specrun/specrun/embedded", "github.com/FerretDB/", "modernc.org/sqlite", "github.com/jackc/pgx", "github.com/go-sql-driver/mysql", "github.com/SAP/go-hdb"} {
			if strings.HasPrefix(dep, left) {
				t.Errorf("the noembedded build links %s", dep)
			}
		}
	}
	for _, f := range moduleFiles(t) {
		for _, imp := range f.ast.Imports {
			if imp.Path.Value == `"`+module+`embedded"` && !f.test && f.pkg != "embedded" && f.rel != "cmd/specrun/embedded_on.go" {
				t.Errorf("%s imports the embedded server: only cmd/specrun/embedded_on.go may (the noembedded build leaves it out)", f.rel)
			}
		}
	}
}
