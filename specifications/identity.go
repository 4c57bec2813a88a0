package specifications

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Identity says which version of the corpus a root is, so that two reports can be
// told comparable or not: the commit of a git checkout, the PROVENANCE file of a
// copied corpus (with the upstream commits it names; specrun corpus get writes one),
// the Go module (path@version) whose folder in the module cache holds it, or the
// Debian package that installed it. A root may have more than one; none found leaves
// it empty.
type Identity struct {
	GitCommit         string   // HEAD of the git checkout holding the root
	Provenance        string   // the PROVENANCE file found in the root or above it
	ProvenanceSHA256  string   // of that file's content
	ProvenanceCommits []string // 40-hex commits the file names, in order, once each
	GoModule          string   // go.mongodb.org/mongo-driver@v1.17.3: the module cache folder holding the root
	DebianPackage     string   // the package whose file list holds the root
	DebianVersion     string
}

// Empty reports whether nothing identifies the corpus.
func (id Identity) Empty() bool {
	return id.GitCommit == "" && id.Provenance == "" && id.GoModule == "" && id.DebianPackage == ""
}

// String is a short human form: "git 92b3c0b9287b", "PROVENANCE.md (92b3c0b9287b, …)",
// "go.mongodb.org/mongo-driver@v1.17.3", "golang-mongodb-mongo-driver-dev 1.17.3+ds1-1",
// joined with "; ".
func (id Identity) String() string {
	var parts []string
	if id.GitCommit != "" {
		parts = append(parts, "git "+short(id.GitCommit))
	}
	if id.Provenance != "" {
		var commits []string
		for _, c := range id.ProvenanceCommits {
			commits = append(commits, short(c))
		}
		p := filepath.Base(id.Provenance) + " sha256 " + short(id.ProvenanceSHA256)
		if len(commits) > 0 {
			p += " (" + strings.Join(commits, ", ") + ")"
		}
		parts = append(parts, p)
	}
	if id.GoModule != "" {
		parts = append(parts, id.GoModule)
	}
	if id.DebianPackage != "" {
		parts = append(parts, id.DebianPackage+" "+id.DebianVersion)
	}
	return strings.Join(parts, "; ")
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}

// Where dpkg keeps its database, and the only tree it installs corpora into;
// variables for tests.
var (
	dpkgDir     = "/var/lib/dpkg"
	dpkgManaged = "/usr/"
)

// Identify finds what identifies the corpus at root (a folder or a file).
func Identify(root string) Identity {
	var id Identity
	abs, err := filepath.Abs(root)
	if err != nil {
		return id
	}
	for dir := abs; ; dir = filepath.Dir(dir) {
		if id.GitCommit == "" {
			id.GitCommit = gitHead(filepath.Join(dir, ".git"))
		}
		if id.Provenance == "" {
			for _, name := range []string{"PROVENANCE.md", "PROVENANCE"} {
				if data, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
					sum := sha256.Sum256(data)
					id.Provenance = filepath.Join(dir, name)
					id.ProvenanceSHA256 = hex.EncodeToString(sum[:])
					id.ProvenanceCommits = commitsIn(data)
					break
				}
			}
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}
	id.GoModule = goModuleOf(abs)
	id.DebianPackage, id.DebianVersion = debianOwner(abs)
	return id
}

// goModuleOf names the Go driver 1.x module whose folder in a module cache holds
// path (…/go.mongodb.org/mongo-driver@v1.17.3/testdata/…), or "".
func goModuleOf(path string) string {
	parts := strings.Split(filepath.ToSlash(path), "/")
	for i := 1; i < len(parts); i++ {
		if module, version, ok := strings.Cut(parts[i-1]+"/"+parts[i], "@"); ok && module == GoDriverModule {
			return module + "@" + version
		}
	}
	return ""
}

var commitRE = regexp.MustCompile(`\b[0-9a-f]{40}\b`)

func commitsIn(data []byte) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range commitRE.FindAll(data, -1) {
		if c := string(m); !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// gitHead reads the commit HEAD names in a .git folder (or a worktree's .git file),
// without running git: HEAD, then the loose ref or packed-refs of the common folder.
func gitHead(dotGit string) string {
	gitDir := dotGit
	if data, err := os.ReadFile(dotGit); err == nil { // a worktree or submodule: "gitdir: …"
		d, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "gitdir: ")
		if !ok {
			return ""
		}
		if !filepath.IsAbs(d) {
			d = filepath.Join(filepath.Dir(dotGit), d)
		}
		gitDir = d
	}
	head, err := os.ReadFile(filepath.Join(gitDir, "HEAD"))
	if err != nil {
		return ""
	}
	ref, symbolic := strings.CutPrefix(strings.TrimSpace(string(head)), "ref: ")
	if !symbolic {
		return hashOrEmpty(ref)
	}
	common := gitDir
	if data, err := os.ReadFile(filepath.Join(gitDir, "commondir")); err == nil {
		c := strings.TrimSpace(string(data))
		if !filepath.IsAbs(c) {
			c = filepath.Join(gitDir, c)
		}
		common = c
	}
	for _, dir := range []string{gitDir, common} {
		if data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(ref))); err == nil {
			return hashOrEmpty(strings.TrimSpace(string(data)))
		}
	}
	packed, err := os.ReadFile(filepath.Join(common, "packed-refs"))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(packed), "\n") {
		if hash, name, ok := strings.Cut(strings.TrimSpace(line), " "); ok && name == ref {
			return hashOrEmpty(hash)
		}
	}
	return ""
}

func hashOrEmpty(s string) string {
	if len(s) == 40 && commitRE.MatchString(s) {
		return s
	}
	return ""
}

// debianOwner names the installed package whose file list holds path, with its
// version, or "" when dpkg knows no owner. Only paths under /usr are looked up.
func debianOwner(path string) (pkg, version string) {
	if !strings.HasPrefix(path, dpkgManaged) {
		return "", ""
	}
	lists, _ := filepath.Glob(filepath.Join(dpkgDir, "info", "*.list"))
	want := []byte(path)
	for _, list := range lists {
		data, err := os.ReadFile(list)
		if err != nil {
			continue
		}
		for _, line := range bytes.Split(data, []byte("\n")) {
			if bytes.Equal(line, want) {
				pkg = strings.TrimSuffix(filepath.Base(list), ".list")
				pkg, _, _ = strings.Cut(pkg, ":") // name:arch
				return pkg, installedVersion(pkg)
			}
		}
	}
	return "", ""
}

// installedVersion reads a package's version from dpkg's status file.
func installedVersion(pkg string) string {
	f, err := os.Open(filepath.Join(dpkgDir, "status"))
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	inPackage := false
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			inPackage = false
		case strings.HasPrefix(line, "Package: "):
			inPackage = strings.TrimPrefix(line, "Package: ") == pkg
		case inPackage && strings.HasPrefix(line, "Version: "):
			return strings.TrimPrefix(line, "Version: ")
		}
	}
	return ""
}
