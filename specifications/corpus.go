package specifications

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// Source is one fixture file to load, or a place that could not be read.
type Source struct {
	Path string // the file
	ID   string // <spec>/<path inside the spec's tests folder, no extension>
	Twin string // the YAML twin of a JSON file, if the folder has one
	// Err, when set, says why the source cannot be read at all: a folder that cannot
	// be listed (Path is the folder), a symbolic link loop. Loading it rejects it with
	// this error, so that it is one error result and the rest runs.
	Err error
}

// DebianCorpus is where Debian's golang-mongodb-mongo-driver-dev puts the Go driver
// 1.x test data (data/<spec>/…, with the legacy formats).
const DebianCorpus = "/usr/share/gocode/src/go.mongodb.org/mongo-driver/data"

// GoDriverModule is the Go driver 1.x module, whose zip carries its test data
// (testdata/<spec>/…, the layout Debian installs as data/).
const GoDriverModule = "go.mongodb.org/mongo-driver"

// CorpusRoot picks the corpus that spec names are resolved in: the flag, else
// $SPECRUN_CORPUS, else the corpus fetched last by specrun corpus get, else
// ./specifications (a checkout), else the Go driver 1.x module's test data in the Go
// module cache, else the Debian package location (see DefaultLocations).
func CorpusRoot(flag string) (string, error) {
	c, err := DefaultLocations(flag).First()
	return c.Root, err
}

var errNoCorpus = errors.New("no corpus found: run specrun corpus get to fetch mongodb/specifications, give --corpus DIR or set $SPECRUN_CORPUS, check out mongodb/specifications as ./specifications, or apt-get install golang-mongodb-mongo-driver-dev")

// Resolve turns a command-line argument into a path: an existing file or folder as it
// is; a spec name (`crud`, `crud/unified`) under the corpus root, in the upstream
// layout (source/<spec>/tests/…) or the Go driver layout (<spec>/…); a missing path
// whose parent is an upstream checkout (./specifications/crud) into that checkout.
// root may be empty when no corpus was found; only spec names need it.
func Resolve(arg, root string) (string, error) {
	if arg == "" { // the corpus root would be found as a spec of that name: all of it
		return "", errors.New(`"": an empty argument names no file, folder or spec (an unset variable?)`)
	}
	_, err := os.Stat(arg)
	if err == nil {
		return arg, nil
	}
	if _, lerr := os.Lstat(arg); lerr == nil {
		return "", fmt.Errorf("%s: %w", arg, linkError(arg, err)) // it is there, but cannot be followed
	}
	if parent := filepath.Dir(arg); parent != "." {
		if p, ok := inCorpus(parent, filepath.Base(arg)); ok {
			return p, nil
		}
	}
	if root != "" && !filepath.IsAbs(arg) && !strings.HasPrefix(arg, ".") {
		if p, ok := inCorpus(root, arg); ok {
			return p, nil
		}
	}
	if root == "" {
		return "", fmt.Errorf("%s: no such file or folder, and no corpus to find a spec of that name in", arg)
	}
	return "", fmt.Errorf("%s: no such file or folder, nor a spec of that name in %s", arg, root)
}

func inCorpus(root, spec string) (string, bool) {
	spec = filepath.ToSlash(spec)
	name, rest, _ := strings.Cut(spec, "/")
	for _, p := range []string{
		filepath.Join(root, "source", name, "tests", rest),
		filepath.Join(root, name, rest),
	} {
		// a file's spec name is its ID, without the extension (crud/unified/find)
		for _, ext := range []string{"", ".json", ".yml", ".yaml"} {
			if _, err := os.Stat(p + ext); err == nil && (ext == "" || rest != "") {
				return p + ext, true
			}
		}
	}
	return "", false
}

// Discover lists the fixture files under the given paths (files, or folders walked
// recursively; symbolic links to folders are not followed), in a stable order. Where a
// folder holds x.json beside x.yml or x.yaml, only x.json is listed, with the YAML
// file as its twin. A folder that cannot be read, and a fixture that is a symbolic
// link that cannot be followed (a loop), are listed as a Source with Err: one
// error each, the rest is listed. An argument that cannot be read is an error.
func Discover(paths []string) ([]Source, error) {
	var sources []Source
	seen := map[string]bool{}
	for _, arg := range paths {
		info, err := os.Stat(arg)
		if err != nil {
			if _, lerr := os.Lstat(arg); lerr == nil {
				return nil, fmt.Errorf("%s: %w", arg, linkError(arg, err))
			}
			return nil, err
		}
		found := []Source{{Path: arg}}
		base := filepath.Dir(arg)
		if info.IsDir() {
			found, base = walk(arg), arg
		}
		sort.Slice(found, func(i, j int) bool { return found[i].Path < found[j].Path })
		for _, f := range found {
			if f.Err == nil && info.IsDir() && jsonTwinExists(f.Path) {
				continue
			}
			abs, _ := filepath.Abs(f.Path)
			if seen[abs] {
				continue
			}
			seen[abs] = true
			f.ID = TestFileID(f.Path, base)
			if f.Err == nil {
				f.Twin = yamlTwin(f.Path)
			}
			sources = append(sources, f)
		}
	}
	return sources, nil
}

// walk lists the fixtures under a folder, and as a Source with Err each folder that
// cannot be read and each fixture-named link that cannot be followed.
func walk(root string) []Source {
	var found []Source
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil: // a folder that could not be read: WalkDir goes on beside it
			found = append(found, Source{Path: p, Err: fmt.Errorf("cannot read this folder: %w", osReason(err))})
		case d.IsDir() || !isFixture(p):
		case d.Type()&fs.ModeSymlink != 0:
			if _, err := os.Stat(p); err != nil {
				found = append(found, Source{Path: p, Err: linkError(p, err)})
				break
			}
			found = append(found, Source{Path: p})
		default:
			found = append(found, Source{Path: p})
		}
		return nil
	})
	return found
}

// linkError says why the symbolic link at p cannot be followed (err is Stat's): a
// loop, or a target that does not exist, named as such.
func linkError(p string, err error) error {
	target, _ := os.Readlink(p)
	switch {
	case errors.Is(err, syscall.ELOOP):
		return fmt.Errorf("a symbolic link loop (it points to %s)", target)
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("a symbolic link to %s, which does not exist", target)
	}
	return osReason(err)
}

// osReason is what the OS said, without the path the message names already.
func osReason(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func isFixture(p string) bool {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".json", ".yml", ".yaml":
		return true
	}
	return false
}

func jsonTwinExists(p string) bool {
	ext := strings.ToLower(filepath.Ext(p))
	if ext != ".yml" && ext != ".yaml" {
		return false
	}
	_, err := os.Stat(strings.TrimSuffix(p, filepath.Ext(p)) + ".json")
	return err == nil
}

func yamlTwin(p string) string {
	if strings.ToLower(filepath.Ext(p)) != ".json" {
		return ""
	}
	stem := strings.TrimSuffix(p, filepath.Ext(p))
	for _, ext := range []string{".yml", ".yaml"} {
		if _, err := os.Stat(stem + ext); err == nil {
			return stem + ext
		}
	}
	return ""
}

// TestFileID gives the ID prefix of a fixture file: `<spec>/<path inside the spec's
// tests folder, no extension>`, the same for an upstream checkout
// (source/crud/tests/unified/find.json) and the Go driver 1.x layout
// (data/crud/unified/find.json). A file in neither layout is named by its path below
// the parent of the folder it was found in (base).
func TestFileID(path, base string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	parts := strings.Split(filepath.ToSlash(abs), "/")
	parts[len(parts)-1] = strings.TrimSuffix(parts[len(parts)-1], filepath.Ext(path))
	for i := len(parts) - 3; i >= 0; i-- {
		if parts[i] == "source" && parts[i+2] == "tests" && i+3 < len(parts) {
			return strings.Join(append([]string{parts[i+1]}, parts[i+3:]...), "/")
		}
	}
	for i := len(parts) - 2; i >= 0; i-- {
		if goDriverDataFolder(parts, i) && i+2 < len(parts) {
			return strings.Join(parts[i+1:], "/")
		}
	}
	absBase, err := filepath.Abs(base)
	if err != nil {
		absBase = base
	}
	rel, err := filepath.Rel(filepath.Dir(absBase), abs)
	if err != nil {
		return strings.Join(parts[len(parts)-1:], "/")
	}
	return strings.TrimSuffix(filepath.ToSlash(rel), filepath.Ext(rel))
}

// SplitCorpusPath splits a path inside a corpus into the corpus root and the path
// below it (slash-separated): /srv/specifications/source/crud/tests/unified gives
// /srv/specifications/source and crud/tests/unified; a path under the Go driver 1.x
// data folder (data/, the module cache's testdata/) gives that folder and the rest.
// A path in neither layout gives ok false.
func SplitCorpusPath(path string) (root, rel string, ok bool) {
	parts := strings.Split(filepath.ToSlash(path), "/")
	for i := len(parts) - 3; i >= 0; i-- {
		if parts[i] == "source" && parts[i+2] == "tests" {
			return strings.Join(parts[:i+1], "/"), strings.Join(parts[i+1:], "/"), true
		}
	}
	for i := len(parts) - 2; i >= 0; i-- {
		if goDriverDataFolder(parts, i) {
			return strings.Join(parts[:i+1], "/"), strings.Join(parts[i+1:], "/"), true
		}
	}
	return "", "", false
}

// goDriverDataFolder says whether parts[i] is the folder of the Go driver 1.x test
// data: data/ as Debian installs it, or testdata/ directly inside the module's folder
// in the Go module cache (go.mongodb.org/mongo-driver@v1.17.3/testdata). Any other
// testdata/ is not: Go projects keep their own fixtures in folders of that name.
func goDriverDataFolder(parts []string, i int) bool {
	switch parts[i] {
	case "data":
		return true
	case "testdata":
		return i > 1 && strings.HasPrefix(parts[i-2]+"/"+parts[i-1], GoDriverModule+"@")
	}
	return false
}

func isDir(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.IsDir()
}
