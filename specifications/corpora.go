package specifications

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Origin says where a corpus was found.
type Origin string

// The origins, in the order CorpusRoot tries them.
const (
	FromFlag     Origin = "--corpus"
	FromEnv      Origin = "$SPECRUN_CORPUS"
	FromFetched  Origin = "specrun corpus get"
	FromCheckout Origin = "./specifications"
	FromModCache Origin = "Go module cache"
	FromDebian   Origin = "Debian package"
)

// Corpus is one corpus spec names can be resolved in.
type Corpus struct {
	Origin  Origin
	Root    string
	Version string // what version it is, for people: a commit, a module or package version
	// Fetch is the record `specrun corpus get` left beside a corpus it fetched.
	Fetch *FetchRecord
}

// String is the one line a run prints: origin, version, root.
func (c Corpus) String() string {
	v := c.Version
	if v == "" {
		v = "version unknown"
	}
	return string(c.Origin) + ", " + v + ", " + c.Root
}

// Locations are the places corpora are looked for. DefaultLocations fills them from
// the flag, the environment and the build of the running program; tests make their own.
type Locations struct {
	Flag, Env string // --corpus, $SPECRUN_CORPUS
	// Fetched is the folder `specrun corpus get` fetches into, one corpus per commit.
	Fetched  string
	Checkout string // ./specifications, when it is a checkout (it holds source/)
	// ModCache is the Go module cache, and GoDriverVersion the version of the Go driver
	// 1.x module that this program was built with (none: no such corpus).
	ModCache, GoDriverVersion string
	Debian                    string
}

// DefaultLocations are the places of this machine and program: the flag, then
// $SPECRUN_CORPUS, the newest corpus fetched by `specrun corpus get` (in the user cache
// folder), ./specifications, the Go driver 1.x module's test data in the Go module
// cache (at the version this program was built with, from its build information, so
// that no go command is needed), and the Debian package's location.
func DefaultLocations(flag string) Locations {
	fetched, _ := FetchedDir()
	return Locations{
		Flag: flag, Env: os.Getenv("SPECRUN_CORPUS"), Fetched: fetched, Checkout: "specifications",
		ModCache: GoModCache(), GoDriverVersion: goDriverVersion(), Debian: DebianCorpus,
	}
}

// Corpora lists every corpus found, in the order spec names are resolved: the first
// is the one CorpusRoot gives. The flag and $SPECRUN_CORPUS are listed as given,
// existing or not (a run then says the spec is not there).
func (l Locations) Corpora() []Corpus {
	var out []Corpus
	if l.Flag != "" {
		out = append(out, Corpus{Origin: FromFlag, Root: l.Flag, Version: Identify(l.Flag).String()})
	}
	if l.Env != "" {
		out = append(out, Corpus{Origin: FromEnv, Root: l.Env, Version: Identify(l.Env).String()})
	}
	out = append(out, FetchedCorpora(l.Fetched)...)
	// ./specifications counts only as a checkout of mongodb/specifications: in
	// specrun's own tree it is a Go package.
	if l.Checkout != "" && isDir(filepath.Join(l.Checkout, "source")) {
		out = append(out, Corpus{Origin: FromCheckout, Root: l.Checkout, Version: Identify(l.Checkout).String()})
	}
	if root := GoModuleCorpus(l.ModCache, l.GoDriverVersion); root != "" && isDir(root) {
		out = append(out, Corpus{Origin: FromModCache, Root: root, Version: GoDriverModule + " " + l.GoDriverVersion})
	}
	if l.Debian != "" && isDir(l.Debian) {
		out = append(out, Corpus{Origin: FromDebian, Root: l.Debian, Version: Identify(l.Debian).String()})
	}
	return out
}

// First is the corpus spec names are resolved in, or an error that says how to get one.
func (l Locations) First() (Corpus, error) {
	if c := l.Corpora(); len(c) > 0 {
		return c[0], nil
	}
	return Corpus{}, errNoCorpus
}

// GoModuleCorpus is where the Go module cache keeps the test data of the Go driver
// 1.x module at version ("" when either is unknown).
func GoModuleCorpus(modCache, version string) string {
	if modCache == "" || version == "" {
		return ""
	}
	return filepath.Join(modCache, filepath.FromSlash(escapeModule(GoDriverModule)+"@"+escapeModule(version)), "testdata")
}

// escapeModule writes a module path or version as the module cache does: each
// capital letter as ! and the letter in lower case.
func escapeModule(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// goDriverVersion is the version of the Go driver 1.x module this program was built
// with, from its build information ("" when it was not built with it, or was built
// with a replacement that is no module version).
func goDriverVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, d := range info.Deps {
		if d.Path != GoDriverModule {
			continue
		}
		if d.Replace != nil {
			if d.Replace.Path != GoDriverModule {
				return ""
			}
			return d.Replace.Version
		}
		return d.Version
	}
	return ""
}

// GoModCache is the Go module cache as the go command finds it, without running it:
// GOMODCACHE, else the first entry of GOPATH and pkg/mod, else $HOME/go/pkg/mod; each
// variable from the environment, else from the file `go env -w` writes.
func GoModCache() string {
	if dir := goEnv("GOMODCACHE"); dir != "" {
		return dir
	}
	if list := filepath.SplitList(goEnv("GOPATH")); len(list) > 0 && list[0] != "" {
		return filepath.Join(list[0], "pkg", "mod")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, "go", "pkg", "mod")
}

// goEnv reads a Go environment variable: the process's, else the go env file
// ($GOENV, else go/env in the user configuration folder).
func goEnv(key string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	file := os.Getenv("GOENV")
	if file == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return ""
		}
		file = filepath.Join(dir, "go", "env")
	}
	if file == "off" {
		return ""
	}
	f, err := os.Open(file)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "="); ok && k == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// FetchRecordName is the file `specrun corpus get` writes in each corpus it fetched
// (JSON; no .json, or it would be taken for a fixture).
const FetchRecordName = "specrun-fetch"

// FetchRecord says where a fetched corpus came from, and when.
type FetchRecord struct {
	Repository string    `json:"repository"`   // mongodb/specifications
	Ref        string    `json:"ref"`          // as asked: a commit, tag or branch
	Commit     string    `json:"commit"`       // the commit the tarball holds
	URL        string    `json:"url"`          // where it came from (a file: the path)
	Size       int64     `json:"size"`         // of the tarball, in bytes
	SHA256     string    `json:"sha256"`       // of the tarball
	Files      int       `json:"files"`        // extracted
	CommitTime time.Time `json:"commitTime"`   // from the tarball's entries
	Fetched    time.Time `json:"fetched"`      // when it was fetched, or asked for again
	Checksum   string    `json:"checksumFrom"` // what the sha256 was checked against, if anything
}

// FetchedDir is the folder `specrun corpus get` fetches into: specrun/specifications
// in the user cache folder.
func FetchedDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "specrun", "specifications"), nil
}

// FetchedCorpora lists the corpora under dir that hold a fetch record, the one fetched
// last first (`specrun corpus get` of a corpus already there makes it the last again).
// Folders being written (their names start with a dot) are not corpora yet.
func FetchedCorpora(dir string) []Corpus {
	if dir == "" {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []Corpus
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		root := filepath.Join(dir, e.Name())
		rec, err := ReadFetchRecord(root)
		if err != nil {
			continue
		}
		v := rec.Repository + " " + rec.Commit
		if rec.Ref != "" && rec.Ref != rec.Commit {
			v += " (" + rec.Ref + ")"
		}
		out = append(out, Corpus{Origin: FromFetched, Root: root, Version: v, Fetch: rec})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Fetch.Fetched.After(out[j].Fetch.Fetched) })
	return out
}

// ReadFetchRecord reads the fetch record of a fetched corpus.
func ReadFetchRecord(root string) (*FetchRecord, error) {
	data, err := os.ReadFile(filepath.Join(root, FetchRecordName))
	if err != nil {
		return nil, err
	}
	var rec FetchRecord
	if err := json.Unmarshal(data, &rec); err != nil {
		return nil, err
	}
	return &rec, nil
}

// Survey is what a corpus holds: its fixture files (as Discover lists them, a YAML
// twin not counted) and how many of them declare each schemaVersion.
type Survey struct {
	Files          int
	SchemaVersions map[string]int
}

var schemaVersionRE = regexp.MustCompile(`(?m)(?:"schemaVersion"\s*:\s*"|^schemaVersion:\s*['"]?)([0-9]+(?:\.[0-9]+)*)`)

// SurveyCorpus counts a corpus's files and schema versions: it reads each file whole
// (a JSON object's keys come in any order, so schemaVersion may be anywhere in it)
// and counts the first schemaVersion it finds, without parsing the file.
func SurveyCorpus(root string) (Survey, error) {
	s := Survey{SchemaVersions: map[string]int{}}
	sources, err := Discover([]string{root})
	if err != nil {
		return s, err
	}
	for _, src := range sources {
		if src.Err != nil {
			continue
		}
		s.Files++
		data, err := os.ReadFile(src.Path)
		if err != nil {
			continue
		}
		if m := schemaVersionRE.FindSubmatch(data); m != nil {
			s.SchemaVersions[string(m[1])]++
		}
	}
	return s, nil
}

// Versions are the schema versions found, oldest first.
func (s Survey) Versions() []string {
	var out []string
	for v := range s.SchemaVersions {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return versionLess(out[i], out[j]) })
	return out
}

func versionLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		na, _ := strconv.Atoi(pa[i])
		nb, _ := strconv.Atoi(pb[i])
		if na != nb {
			return na < nb
		}
	}
	return len(pa) < len(pb)
}
