package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// Run is everything a report says about one run of specrun.
type Run struct {
	SpecrunVersion string // specrun.version
	Driver         string // specrun.driver: "go.mongodb.org/mongo-driver/v2 vX.Y.Z"
	Server         ServerInfo
	Corpus         []CorpusRoot
	Started        time.Time
	Duration       time.Duration
	Tests          []result.Test // in run order
	Filters        Filters
	// Command is the command line that made the report (specrun and its arguments,
	// credentials removed), nil when not known.
	Command []string

	// Partial is set when the run stopped before every selected test ran
	// (interrupted, --max-time): the report is incomplete.
	Partial *Partial

	// Expect is the verdict of the expectations file on Tests, or nil when the run
	// had none. Its Verdicts must correspond one to one, in order, to Tests.
	Expect *Evaluation
}

// ServerInfo identifies the server a run was made against.
type ServerInfo struct {
	// Name is the product's name (--server-name, or the embedded server's), "" when
	// the run was not told it.
	Name           string
	URI            string // without credentials: see RedactURI
	Embedded       bool
	Version        string
	Topology       string
	MaxWireVersion int32
	Capabilities   map[string]bool // e.g. failPoints, transactions, changeStreams
}

// CorpusRoot is one corpus root of a run, how many fixture files it gave and which
// version of the corpus it is.
type CorpusRoot struct {
	Root     string
	Files    int
	Identity specifications.Identity
}

// Filters are what selected the tests of a run, and in which order they ran: two runs
// with other --run, --skip or --shard are not comparable test for test.
type Filters struct {
	Run, Skip string // --run and --skip, "" when not given
	Shard     Shard  // zero when the run was not sharded
	// Shuffle is the seed of --shuffle (decimal) when the files ran in a random order,
	// "" when they ran in their own. It selects no test: runs with other seeds, or
	// none, are comparable test for test.
	Shuffle string
}

// Shard is one of Count stable parts of the corpus files, Index counted from 1.
type Shard struct{ Index, Count int }

func (s Shard) String() string {
	if s.Count == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// ParseShard reads "I/N" with 1 <= I <= N.
func ParseShard(s string) (Shard, error) {
	var sh Shard
	var rest string
	if n, _ := fmt.Sscanf(s, "%d/%d%s", &sh.Index, &sh.Count, &rest); n != 2 || sh.Count < 1 || sh.Index < 1 || sh.Index > sh.Count {
		return Shard{}, fmt.Errorf("shard %q: want I/N with 1 <= I <= N, e.g. 1/4", s)
	}
	return sh, nil
}

// Partial says why a run is incomplete and which selected tests did not run.
type Partial struct {
	Reason string        // e.g. "interrupted", "--max-time 30m0s reached"
	NotRun []result.Test // ID, File and Description only
}

// Summary counts tests by status.
type Summary struct {
	Total       int `json:"total"`
	Pass        int `json:"pass"`
	Fail        int `json:"fail"`
	Skip        int `json:"skip"`
	Unsupported int `json:"unsupported"`
	Error       int `json:"error"`
}

// Summarize counts tests by status. A test whose status is none of the five counts
// in Total only.
func Summarize(tests []result.Test) Summary {
	var s Summary
	for _, t := range tests {
		s.Total++
		if p := s.count(t.Status); p != nil {
			*p++
		}
	}
	return s
}

// Count returns the number of tests with the given status.
func (s Summary) Count(st result.Status) int {
	if p := s.count(st); p != nil {
		return *p
	}
	return 0
}

func (s *Summary) count(st result.Status) *int {
	switch st {
	case result.Pass:
		return &s.Pass
	case result.Fail:
		return &s.Fail
	case result.Skip:
		return &s.Skip
	case result.Unsupported:
		return &s.Unsupported
	case result.Error:
		return &s.Error
	}
	return nil
}

// timeLayout is RFC 3339 with milliseconds.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

// The JSON form, field for field as DESIGN.md names it.
type (
	jsonReport struct {
		Specrun      jsonSpecrun       `json:"specrun"`
		Server       jsonServer        `json:"server"`
		Corpus       []jsonCorpus      `json:"corpus"`
		Filters      jsonFilters       `json:"filters"`
		Command      []string          `json:"command,omitempty"`
		Partial      *jsonPartial      `json:"partial,omitempty"`
		Started      string            `json:"started"`
		DurationMs   int64             `json:"durationMs"`
		Summary      Summary           `json:"summary"`
		Expectations *jsonExpectations `json:"expectations,omitempty"`
		Tests        []jsonTest        `json:"tests"`
	}
	jsonSpecrun struct {
		Version string `json:"version"`
		Driver  string `json:"driver"`
	}
	jsonServer struct {
		Name           string          `json:"name,omitempty"`
		URI            string          `json:"uri"`
		Embedded       bool            `json:"embedded"`
		Version        string          `json:"version"`
		Topology       string          `json:"topology"`
		MaxWireVersion int32           `json:"maxWireVersion"`
		Capabilities   map[string]bool `json:"capabilities"`
	}
	jsonCorpus struct {
		Root     string        `json:"root"`
		Files    int           `json:"files"`
		Identity *jsonIdentity `json:"identity,omitempty"`
	}
	jsonIdentity struct {
		Git        string          `json:"git,omitempty"`
		Provenance *jsonProvenance `json:"provenance,omitempty"`
		GoModule   string          `json:"goModule,omitempty"`
		Debian     *jsonPackage    `json:"debianPackage,omitempty"`
	}
	jsonProvenance struct {
		File    string   `json:"file"`
		SHA256  string   `json:"sha256"`
		Commits []string `json:"commits"`
	}
	jsonPackage struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	jsonFilters struct {
		Run     string `json:"run,omitempty"`
		Skip    string `json:"skip,omitempty"`
		Shard   string `json:"shard,omitempty"`
		Shuffle string `json:"shuffle,omitempty"`
	}
	jsonPartial struct {
		Reason string       `json:"reason"`
		NotRun []jsonNotRun `json:"notRun"`
	}
	jsonNotRun struct {
		ID          string `json:"id"`
		File        string `json:"file"`
		Description string `json:"description"`
	}
	jsonTest struct {
		ID          string `json:"id"`
		File        string `json:"file"`
		Description string `json:"description"`
		Status      string `json:"status"`
		Reason      string `json:"reason"`
		DurationMs  int64  `json:"durationMs"`
		Detail      string `json:"detail"`
		// Present only when the run had an expectations file.
		Verdict  string     `json:"verdict,omitempty"`
		Expected *jsonEntry `json:"expected,omitempty"`
	}
	jsonExpectations struct {
		File             string      `json:"file"`
		OK               bool        `json:"ok"`
		Expected         int         `json:"expected"`
		Regressions      int         `json:"regressions"`
		UnexpectedPasses int         `json:"unexpectedPasses"`
		Stale            []jsonEntry `json:"stale"`
	}
	jsonEntry struct {
		ID     string `json:"id,omitempty"`
		Prefix string `json:"prefix,omitempty"`
		Status string `json:"status"`
		Reason string `json:"reason"`
		Line   int    `json:"line,omitempty"`
	}
)

func toJSONEntry(e *Entry) jsonEntry {
	return jsonEntry{ID: e.ID, Prefix: e.Prefix, Status: string(e.Status), Reason: e.Reason, Line: e.Line}
}

func (j jsonEntry) entry() (*Entry, error) {
	e := &Entry{ID: j.ID, Prefix: j.Prefix, Status: result.Status(j.Status), Reason: j.Reason, Line: j.Line}
	if (e.ID == "") == (e.Prefix == "") {
		return nil, errors.New("entry needs exactly one of id and prefix")
	}
	if !e.Status.Known() {
		return nil, fmt.Errorf("entry has unknown status %q", j.Status)
	}
	return e, nil
}

func toJSONIdentity(id specifications.Identity) *jsonIdentity {
	if id.Empty() {
		return nil
	}
	j := &jsonIdentity{Git: id.GitCommit, GoModule: id.GoModule}
	if id.Provenance != "" {
		j.Provenance = &jsonProvenance{File: id.Provenance, SHA256: id.ProvenanceSHA256, Commits: id.ProvenanceCommits}
		if j.Provenance.Commits == nil {
			j.Provenance.Commits = []string{}
		}
	}
	if id.DebianPackage != "" {
		j.Debian = &jsonPackage{Name: id.DebianPackage, Version: id.DebianVersion}
	}
	return j
}

func (j *jsonIdentity) identity() specifications.Identity {
	if j == nil {
		return specifications.Identity{}
	}
	id := specifications.Identity{GitCommit: j.Git, GoModule: j.GoModule}
	if p := j.Provenance; p != nil {
		id.Provenance, id.ProvenanceSHA256 = p.File, p.SHA256
		if len(p.Commits) > 0 {
			id.ProvenanceCommits = p.Commits
		}
	}
	if d := j.Debian; d != nil {
		id.DebianPackage, id.DebianVersion = d.Name, d.Version
	}
	return id
}

// WriteJSON writes r as the JSON report of DESIGN.md, indented, with a final newline.
// It refuses a test with an unknown status (the summary would not add up) and an
// Expect whose verdicts do not match the tests.
func WriteJSON(w io.Writer, r *Run) error {
	j := jsonReport{
		Specrun: jsonSpecrun{Version: r.SpecrunVersion, Driver: r.Driver},
		Server: jsonServer{
			Name:           r.Server.Name,
			URI:            r.Server.URI,
			Embedded:       r.Server.Embedded,
			Version:        r.Server.Version,
			Topology:       r.Server.Topology,
			MaxWireVersion: r.Server.MaxWireVersion,
			Capabilities:   r.Server.Capabilities,
		},
		Corpus:     make([]jsonCorpus, 0, len(r.Corpus)),
		Started:    r.Started.UTC().Format(timeLayout),
		DurationMs: r.Duration.Round(time.Millisecond).Milliseconds(),
		Summary:    Summarize(r.Tests),
		Tests:      make([]jsonTest, 0, len(r.Tests)),
	}
	if j.Server.Capabilities == nil {
		j.Server.Capabilities = map[string]bool{}
	}
	for _, c := range r.Corpus {
		j.Corpus = append(j.Corpus, jsonCorpus{Root: c.Root, Files: c.Files, Identity: toJSONIdentity(c.Identity)})
	}
	j.Command = r.Command
	j.Filters = jsonFilters{Run: r.Filters.Run, Skip: r.Filters.Skip, Shard: r.Filters.Shard.String(), Shuffle: r.Filters.Shuffle}
	if p := r.Partial; p != nil {
		j.Partial = &jsonPartial{Reason: p.Reason, NotRun: make([]jsonNotRun, 0, len(p.NotRun))}
		for _, t := range p.NotRun {
			j.Partial.NotRun = append(j.Partial.NotRun, jsonNotRun{ID: t.ID, File: t.File, Description: t.Description})
		}
	}
	if err := r.verdictsAligned(); err != nil {
		return err
	}
	for i, t := range r.Tests {
		if !t.Status.Known() {
			return fmt.Errorf("report: test %q has unknown status %q", t.ID, t.Status)
		}
		jt := jsonTest{
			ID:          t.ID,
			File:        t.File,
			Description: t.Description,
			Status:      string(t.Status),
			Reason:      t.Reason,
			DurationMs:  t.Duration.Round(time.Millisecond).Milliseconds(),
			Detail:      t.Detail,
		}
		if r.Expect != nil {
			v := r.Expect.Verdicts[i]
			jt.Verdict = v.Judgement.String()
			if v.Entry != nil {
				e := toJSONEntry(v.Entry)
				jt.Expected = &e
			}
		}
		j.Tests = append(j.Tests, jt)
	}
	if ev := r.Expect; ev != nil {
		je := &jsonExpectations{
			File:             ev.File,
			OK:               ev.OK(),
			Expected:         ev.Count(Expected),
			Regressions:      ev.Count(Regression),
			UnexpectedPasses: ev.Count(UnexpectedPass),
			Stale:            make([]jsonEntry, 0, len(ev.Stale)),
		}
		for _, e := range ev.Stale {
			je.Stale = append(je.Stale, toJSONEntry(e))
		}
		j.Expectations = je
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&j); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// ReadJSON reads a report that WriteJSON wrote. Fields it does not know are ignored
// (a newer specrun may add some); a test with an unknown status, a summary that does
// not agree with the tests, or an expectations block that does not agree with the
// verdicts is an error.
func ReadJSON(r io.Reader) (*Run, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("report: empty input")
	}
	var j jsonReport
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&j); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("report: data after the report object")
	}
	run := &Run{
		SpecrunVersion: j.Specrun.Version,
		Driver:         j.Specrun.Driver,
		Server: ServerInfo{
			Name:           j.Server.Name,
			URI:            j.Server.URI,
			Embedded:       j.Server.Embedded,
			Version:        j.Server.Version,
			Topology:       j.Server.Topology,
			MaxWireVersion: j.Server.MaxWireVersion,
			Capabilities:   j.Server.Capabilities,
		},
		Duration: time.Duration(j.DurationMs) * time.Millisecond,
	}
	if j.Started != "" {
		if run.Started, err = time.Parse(time.RFC3339, j.Started); err != nil {
			return nil, fmt.Errorf("report: started: %w", err)
		}
	}
	for _, c := range j.Corpus {
		run.Corpus = append(run.Corpus, CorpusRoot{Root: c.Root, Files: c.Files, Identity: c.Identity.identity()})
	}
	run.Command = j.Command
	run.Filters = Filters{Run: j.Filters.Run, Skip: j.Filters.Skip, Shuffle: j.Filters.Shuffle}
	if j.Filters.Shard != "" {
		if run.Filters.Shard, err = ParseShard(j.Filters.Shard); err != nil {
			return nil, fmt.Errorf("report: filters: %w", err)
		}
	}
	if p := j.Partial; p != nil {
		run.Partial = &Partial{Reason: p.Reason}
		for _, t := range p.NotRun {
			run.Partial.NotRun = append(run.Partial.NotRun, result.Test{ID: t.ID, File: t.File, Description: t.Description})
		}
	}
	var ev *Evaluation
	if j.Expectations != nil {
		ev = &Evaluation{File: j.Expectations.File}
		for i, s := range j.Expectations.Stale {
			e, err := s.entry()
			if err != nil {
				return nil, fmt.Errorf("report: expectations.stale[%d]: %w", i, err)
			}
			ev.Stale = append(ev.Stale, e)
		}
	}
	for i, t := range j.Tests {
		res := result.Test{
			ID:          t.ID,
			File:        t.File,
			Description: t.Description,
			Status:      result.Status(t.Status),
			Reason:      t.Reason,
			Detail:      t.Detail,
			Duration:    time.Duration(t.DurationMs) * time.Millisecond,
		}
		if !res.Status.Known() {
			return nil, fmt.Errorf("report: tests[%d] (%q): unknown status %q", i, t.ID, t.Status)
		}
		run.Tests = append(run.Tests, res)
		if ev == nil {
			continue
		}
		v := Verdict{Result: res}
		if v.Judgement, err = parseJudgement(t.Verdict); err != nil {
			return nil, fmt.Errorf("report: tests[%d] (%q): %w", i, t.ID, err)
		}
		if t.Expected != nil {
			if v.Entry, err = t.Expected.entry(); err != nil {
				return nil, fmt.Errorf("report: tests[%d] (%q): expected: %w", i, t.ID, err)
			}
		}
		if want := judge(res.Status, v.Entry); want != v.Judgement {
			return nil, fmt.Errorf("report: tests[%d] (%q): verdict %q, but status %s under that entry is %q",
				i, t.ID, v.Judgement, res.Status, want)
		}
		ev.Verdicts = append(ev.Verdicts, v)
	}
	if got := Summarize(run.Tests); got != j.Summary {
		return nil, fmt.Errorf("report: summary %+v does not agree with the tests (%+v)", j.Summary, got)
	}
	if ev != nil {
		je := j.Expectations
		if je.OK != ev.OK() || je.Expected != ev.Count(Expected) ||
			je.Regressions != ev.Count(Regression) || je.UnexpectedPasses != ev.Count(UnexpectedPass) {
			return nil, errors.New("report: expectations block does not agree with the tests' verdicts")
		}
		run.Expect = ev
	}
	return run, nil
}

// verdictsAligned checks that the expectations' verdicts, if any, are the tests' own,
// one for one in order, as every writer reads them.
func (r *Run) verdictsAligned() error {
	if r.Expect == nil {
		return nil
	}
	if len(r.Expect.Verdicts) != len(r.Tests) {
		return fmt.Errorf("report: %d verdicts for %d tests", len(r.Expect.Verdicts), len(r.Tests))
	}
	for i, t := range r.Tests {
		if v := r.Expect.Verdicts[i]; v.Result.ID != t.ID || v.Result.Status != t.Status {
			return fmt.Errorf("report: verdict %d is for %q (%s), test is %q (%s)",
				i, v.Result.ID, v.Result.Status, t.ID, t.Status)
		}
	}
	return nil
}
