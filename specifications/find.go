package specifications

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Find resolves command-line arguments (paths or spec names, see Resolve) in the first
// corpus of locations and lists their fixture files (Discover). used is the corpus that
// spec names were found in (nil when every argument is a path). An argument that is
// neither says so, with the spec names of that corpus nearest to it and the other
// corpora that have it. specrun run, specrun check and the go test entry point resolve
// their arguments alike through it.
func Find(args []string, locations Locations) (sources []Source, used *Corpus, err error) {
	corpus, rootErr := locations.First()
	paths := make([]string, len(args))
	for i, arg := range args {
		p, err := Resolve(arg, corpus.Root)
		switch {
		case err != nil && rootErr != nil:
			return nil, nil, fmt.Errorf("%v (%v)", err, rootErr)
		case err != nil:
			return nil, nil, fmt.Errorf("%v%s%s", err, didYouMean(arg, corpus.Root), elsewhere(arg, locations))
		case p != arg && Within(p, corpus.Root):
			used = &corpus
		}
		paths[i] = p
	}
	sources, err = Discover(paths)
	return sources, used, err
}

// elsewhere names the other corpora that have a spec the first one lacks (crud/v1,
// which upstream deleted in 2024, is in the Go driver's test data).
func elsewhere(spec string, locations Locations) string {
	var in []string
	for _, c := range locations.Corpora()[1:] {
		if p, err := Resolve(spec, c.Root); err == nil && Within(p, c.Root) {
			in = append(in, fmt.Sprintf("%s: --corpus %s", c.Origin, c.Root))
		}
	}
	if len(in) == 0 {
		return ""
	}
	return "; another corpus has it (" + strings.Join(in, "; ") + ")"
}

// didYouMean names the spec of the corpus nearest to a spec name that is not there:
// "crdu" → crud; "crud/unifed" → crud/unified: each part that is not there is
// compared with the entries of the folder above it. "" when none is near, or arg is
// a path.
func didYouMean(arg, root string) string {
	if root == "" || filepath.IsAbs(arg) || strings.HasPrefix(arg, ".") {
		return ""
	}
	parts := strings.Split(filepath.ToSlash(arg), "/")
	fixed := 0 // parts changed
	for i := range parts {
		if _, ok := inCorpus(root, strings.Join(parts[:i+1], "/")); ok {
			continue
		}
		s := Closest(parts[i], specEntries(root, parts[:i]))
		if s == "" {
			if fixed == 0 {
				return ""
			}
			// the parts before are right once corrected; this one is near nothing
			return "; did you mean " + strings.Join(parts[:i], "/") + "?"
		}
		parts[i] = s
		fixed++
	}
	if fixed == 0 {
		return "" // nothing to correct
	}
	return "; did you mean " + strings.Join(parts, "/") + "?"
}

// specEntries are the names a spec name's next part may take under the parts before
// it: the specs of the corpus (both layouts), or the entries of the folder the parts
// name, fixture files without their extension.
func specEntries(root string, parts []string) []string {
	var dirs []string
	if len(parts) == 0 {
		dirs = []string{filepath.Join(root, "source"), root}
	} else if p, ok := inCorpus(root, strings.Join(parts, "/")); ok {
		dirs = []string{p}
	}
	var names []string
	for _, d := range dirs {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			name := e.Name()
			switch {
			case strings.HasPrefix(name, "."):
			case e.IsDir():
				names = append(names, name)
			case isFixture(name):
				names = append(names, strings.TrimSuffix(name, filepath.Ext(name)))
			}
		}
	}
	return names
}

// Within says whether path is root or under it.
func Within(path, root string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// Closest is the candidate nearest to s by edit distance, if near enough to be what was
// meant: at most 2 edits, and fewer than half of s's letters; "" if none is. It makes
// the "did you mean" of spec names, and of specrun's commands and flags.
func Closest(s string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		d := editDistance(strings.ToLower(s), strings.ToLower(c))
		if d < bestDist && 2*d < len(s) {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Damerau–Levenshtein distance of a and b (optimal string
// alignment: insertions, deletions, substitutions and swaps of two neighbours, one
// edit each), over runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// d[i][j] is the distance of ra[:i] and rb[:j]
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
