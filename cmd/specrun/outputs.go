package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/specrun/specrun/report"
)

// reportFiles are the report flags run and merge share: one file per format, "-"
// for stdout.
type reportFiles struct {
	json, junit, markdown string
	// stdout is where a report given as "-" goes: the command's stdout as it is,
	// not made visible for a terminal.
	stdout io.Writer
}

func (f *reportFiles) register(fs *flag.FlagSet, what string) {
	fs.StringVar(&f.json, "json", "", "write the "+what+"JSON report to this `file` (-: stdout)")
	fs.StringVar(&f.junit, "junit", "", "write the "+what+"JUnit XML report (one testsuite per fixture file) to this `file` (-: stdout)")
	fs.StringVar(&f.markdown, "markdown", "", "write the "+what+"Markdown report (release notes: the gate, a table per spec, failures by cause) to this `file` (-: stdout)")
}

// outputs are the report files asked for, by flag.
func (f *reportFiles) outputs() []output {
	return []output{{"--json", f.json}, {"--junit", f.junit}, {"--markdown", f.markdown}}
}

// write writes every report asked for; it goes on after a failure and returns the first.
func (f *reportFiles) write(r *report.Run) error {
	var first error
	for _, out := range []struct {
		path  string
		write func(io.Writer, *report.Run) error
	}{{f.json, report.WriteJSON}, {f.junit, report.WriteJUnit}, {f.markdown, report.WriteMarkdown}} {
		if out.path == "" {
			continue
		}
		if err := writeOutput(out.path, f.stdout, func(w io.Writer) error { return out.write(w, r) }); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// stdoutPath is the output path that means stdout.
const stdoutPath = "-"

// toStdout says whether one of the outputs is stdout: what the command says for
// people then goes to stderr, so that stdout holds the output alone.
func toStdout(outs []output) bool {
	for _, o := range outs {
		if o.path == stdoutPath {
			return true
		}
	}
	return false
}

// writeOutput writes an output: to stdout when path is "-", else into the file
// (writeFile).
func writeOutput(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path != stdoutPath {
		return writeFile(path, write)
	}
	w := bufio.NewWriter(stdout)
	if err := write(w); err != nil {
		return fmt.Errorf("cannot write to stdout: %v", err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("cannot write to stdout: %v", err)
	}
	return nil
}

// writeFile writes a file whole or not at all: into a temporary file in the same
// folder, renamed over path once complete and synced, with the mode of the file it
// replaces (a new one gets 0666 less the umask, as os.Create gives). A failure (a
// full disk) leaves the file as it was. A symbolic link is written through: its
// target is replaced, the link stays.
func writeFile(path string, write func(io.Writer) error) error {
	target := path
	if real, err := filepath.EvalSymlinks(path); err == nil {
		target = real
	}
	f, err := newPendingFile(target)
	if err != nil {
		return writeError(path, err)
	}
	defer f.Cleanup()
	w := bufio.NewWriter(f)
	if err := write(w); err != nil {
		return writeError(path, err)
	}
	if err := w.Flush(); err != nil {
		return writeError(path, err)
	}
	if err := f.CloseAtomicallyReplace(); err != nil {
		return writeError(path, err)
	}
	return nil
}

// pendingFile is a temporary file that replaces its destination when complete
// (renameio.PendingFile).
type pendingFile interface {
	io.Writer
	CloseAtomicallyReplace() error
	Cleanup() error
}

// writeError names the file the user gave, not the temporary one, with the reason.
func writeError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("cannot write %s: %v (it is unchanged)", path, err)
}

// output is a file a command writes, by the flag that names it ("" not asked for).
type output struct{ flag, path string }

// input is a file a command reads: what it is, for messages; writer is the flag of
// the one output that may replace it ("" none), as --update-expect may rewrite the
// --expect file.
type input struct{ what, path, writer string }

// checkOutputs is done before any work: every output can be created in its folder
// (a file is created and removed there), and no output is an input or another output
// (compared as cleaned absolute paths with symbolic links resolved, and as the same
// file where it exists). One output at most may be "-", stdout. Its errors are usage
// errors.
func checkOutputs(outs []output, ins []input) error {
	type checked struct {
		output
		info os.FileInfo // nil when the file does not exist yet
	}
	var given []checked
	stdoutFlag := ""
	for _, o := range outs {
		switch {
		case o.path == "":
			continue
		case o.path == stdoutPath && stdoutFlag != "":
			return fmt.Errorf("%s - and %s - both write to stdout: give one of them a file", stdoutFlag, o.flag)
		case o.path == stdoutPath:
			stdoutFlag = o.flag
			continue
		}
		if err := writable(o.path); err != nil {
			return fmt.Errorf("%s %s: %w", o.flag, o.path, err)
		}
		for _, prev := range given {
			if sameFile(prev.path, o.path) {
				return fmt.Errorf("%s %s and %s %s are the same file: give each output a file of its own", prev.flag, prev.path, o.flag, o.path)
			}
		}
		info, _ := os.Stat(o.path)
		given = append(given, checked{o, info})
	}
	// An input exists (it is read): only an output that exists can be it.
	for _, in := range ins {
		st, err := os.Stat(in.path)
		if err != nil {
			continue
		}
		for _, o := range given {
			if o.flag != in.writer && o.info != nil && os.SameFile(st, o.info) {
				return fmt.Errorf("%s %s is %s: an output must not overwrite an input", o.flag, o.path, in.what)
			}
		}
	}
	return nil
}

// writable says why a file cannot be written at path, nil if it can.
func writable(path string) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return errors.New("is a folder")
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("folder %s does not exist", dir)
	case err != nil:
		return fmt.Errorf("folder %s: %v", dir, reason(err))
	case !st.IsDir():
		return fmt.Errorf("%s is not a folder", dir)
	}
	probe, err := os.CreateTemp(dir, ".specrun-probe-*")
	if err != nil {
		return fmt.Errorf("cannot create a file in %s: %v", dir, reason(err))
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// reason is what the OS said, without the path that the message names already.
func reason(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// sameFile says whether two paths name one file: the same cleaned absolute path once
// the symbolic links of their folders are resolved, or, where both exist, the same
// file (links, hard links).
func sameFile(a, b string) bool {
	if resolved(a) == resolved(b) {
		return true
	}
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}

func resolved(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		return filepath.Join(dir, filepath.Base(abs))
	}
	return abs
}
