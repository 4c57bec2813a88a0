package architecture

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/specrun/specrun/"

// imports are the project packages each package may import: dependencies point one
// way, from the command line down to the vocabulary of results and the model.
var imports = map[string][]string{
	"result":                {},
	"drivererr":             {"result"},
	"internal/bsontext":     {},
	"specifications":        {"internal/bsontext", "internal/ordered"},
	"matchers":              {"internal/bsontext"},
	"embedded":              {},
	"internal/testcorpus":   {},
	"internal/testpriv":     {},
	"internal/architecture": {},
	"internal/golden":       {},
	"internal/logtail":      {},
	"internal/ordered":      {},
	"serverproc":            {"internal/logtail"},
	"internal/wireproxy":    {},
	"entities":              {"result", "specifications"},
	"operations":            {"drivererr", "entities", "matchers", "result", "specifications"},
	"interpreter":           {"drivererr", "entities", "internal/bsontext", "matchers", "operations", "result", "specifications"},
	"report":                {"result", "specifications"},
	"corpusget":             {"specifications"},
	"run":                   {"interpreter", "report", "result", "specifications"},
	"cmd/specrun":           {"corpusget", "embedded", "internal/logtail", "internal/ordered", "operations", "report", "result", "run", "serverproc", "specifications"},
}

const (
	maxFileLines    = 600 // any Go file, tests included
	maxCommandLines = 80  // a function of cmd/specrun (not its tests)
)

// recoverAllowed is the one place a recover may stand: the crash barrier around one
// test, which turns a panic of specrun's own code into that test's error verdict
// ("internal failure", DESIGN.md) so that the run and its reports survive it.
var recoverAllowed = map[string]bool{"interpreter/runner.go": true}

type goFile struct {
	rel  string // path from the module root, with slashes
	pkg  string // directory from the module root
	test bool
	ast  *ast.File
	fset *token.FileSet
}

func moduleFiles(t *testing.T) []goFile {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no module root at %s: %v", root, err)
	}
	var files []goFile
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		files = append(files, goFile{rel: rel, pkg: filepath.ToSlash(filepath.Dir(rel)), test: strings.HasSuffix(rel, "_test.go"), ast: f, fset: fset})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 100 {
		t.Fatalf("only %d Go files found: the walk is broken", len(files))
	}
	return files
}

func TestImportsPointOneWay(t *testing.T) {
	for _, f := range moduleFiles(t) {
		if f.test {
			continue
		}
		allowed, known := imports[f.pkg]
		if !known {
			t.Errorf("%s: package %s has no entry in the import rules: add it, with what it may import", f.rel, f.pkg)
			continue
		}
		for _, imp := range f.ast.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			dep, ok := strings.CutPrefix(path, module)
			if ok && !slices.Contains(allowed, dep) {
				t.Errorf("%s imports %s: %s may import only %v", f.rel, dep, f.pkg, allowed)
			}
		}
	}
}

func TestSizes(t *testing.T) {
	for _, f := range moduleFiles(t) {
		if n := f.fset.File(f.ast.Pos()).LineCount(); n > maxFileLines {
			t.Errorf("%s has %d lines (at most %d): split it by concern", f.rel, n, maxFileLines)
		}
		if f.pkg != "cmd/specrun" || f.test {
			continue
		}
		for _, d := range f.ast.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok {
				lines := f.fset.Position(fn.End()).Line - f.fset.Position(fn.Pos()).Line + 1
				if lines > maxCommandLines {
					t.Errorf("%s: %s has %d lines (at most %d in the command line): the work belongs in a package", f.rel, fn.Name.Name, lines, maxCommandLines)
				}
			}
		}
	}
}

// TestNoHiddenMechanisms: behaviour is decided by values the code passes, never by
// addresses, code pointers, recovered panics or values hidden in a context.
func TestNoHiddenMechanisms(t *testing.T) {
	for _, f := range moduleFiles(t) {
		if f.test {
			continue
		}
		for _, imp := range f.ast.Imports {
			if imp.Path.Value == `"unsafe"` {
				t.Errorf("%s imports unsafe", f.rel)
			}
		}
		ast.Inspect(f.ast, func(n ast.Node) bool {
			if cmp, ok := n.(*ast.BinaryExpr); ok && (cmp.Op == token.EQL || cmp.Op == token.NEQ) && (isAddress(cmp.X) || isAddress(cmp.Y)) {
				t.Errorf("%s:%d: compares an address: compare what the values say", f.rel, f.fset.Position(cmp.Pos()).Line)
			}
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			at := f.fset.Position(call.Pos())
			switch fun := call.Fun.(type) {
			case *ast.Ident:
				if fun.Name == "recover" && !recoverAllowed[f.rel] {
					t.Errorf("%s:%d: recover: return an error instead", f.rel, at.Line)
				}
			case *ast.SelectorExpr:
				x, _ := fun.X.(*ast.Ident)
				switch {
				case x != nil && x.Name == "context" && fun.Sel.Name == "WithValue":
					t.Errorf("%s:%d: context.WithValue: pass the value explicitly", f.rel, at.Line)
				case fun.Sel.Name == "Pointer" && isReflectValueOf(fun.X):
					t.Errorf("%s:%d: a reflect code pointer decides nothing reliably: use a type", f.rel, at.Line)
				}
			}
			return true
		})
	}
}

func isAddress(e ast.Expr) bool {
	u, ok := e.(*ast.UnaryExpr)
	return ok && u.Op == token.AND
}

func isReflectValueOf(e ast.Expr) bool {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	x, _ := sel.X.(*ast.Ident)
	return ok && x != nil && x.Name == "reflect" && sel.Sel.Name == "ValueOf"
}
