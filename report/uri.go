package report

import (
	"io"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// redacted replaces the value of a URI option that carries a secret.
const redacted = "REDACTED"

// RedactURI returns uri without credentials, for reports and messages:
//
//   - the user information ("user:password@", "user@") of a mongodb:// or
//     mongodb+srv:// URI (or any scheme://) is removed; hosts, database and options
//     are kept as they are;
//   - the values of options that carry secrets (tlsCertificateKeyFilePassword,
//     sslClientCertificateKeyPassword, and authMechanismProperties when it holds an
//     AWS_SESSION_TOKEN) are replaced with REDACTED.
//
// It errs on the side of removing too much: the user information reaches the last
// "@" before the options, so a password with an unescaped "@" or "/" (which the
// driver rejects, but which may still be echoed in an error message) is removed
// whole. A string without "://" is returned unchanged.
func RedactURI(uri string) string {
	i := strings.Index(uri, "://")
	if i < 0 || strings.ContainsAny(uri[:i], "/?@#") {
		return uri
	}
	scheme, rest := uri[:i+3], uri[i+3:]

	// The driver takes the user information up to the first "@". Reach further: up to
	// the last "@" before the first "?" that follows that one.
	if at := strings.IndexByte(rest, '@'); at >= 0 {
		end := len(rest)
		if q := strings.IndexByte(rest[at:], '?'); q >= 0 {
			end = at + q
		}
		at = strings.LastIndexByte(rest[:end], '@')
		rest = rest[at+1:]
	}

	q := strings.IndexByte(rest, '?')
	if q < 0 {
		return scheme + rest
	}
	return scheme + rest[:q+1] + redactOptions(rest[q+1:])
}

// redactOptions replaces the values of secret options in a query string, keeping
// everything else (order, separators, escaping) as it is.
func redactOptions(query string) string {
	var b strings.Builder
	for query != "" {
		end := strings.IndexAny(query, "&;")
		if end < 0 {
			end = len(query)
		}
		opt := query[:end]
		if k, v, ok := strings.Cut(opt, "="); ok && secretOption(k, v) {
			opt = k + "=" + redacted
		}
		b.WriteString(opt)
		if end < len(query) {
			b.WriteByte(query[end])
			end++
		}
		query = query[end:]
	}
	return b.String()
}

func secretOption(key, value string) bool {
	if k, err := url.QueryUnescape(key); err == nil {
		key = k
	}
	switch strings.ToLower(key) {
	case "tlscertificatekeyfilepassword", "sslclientcertificatekeypassword":
		return true
	case "authmechanismproperties":
		if v, err := url.QueryUnescape(value); err == nil {
			value = v
		}
		return strings.Contains(strings.ToUpper(value), "AWS_SESSION_TOKEN")
	}
	return false
}

// Redactor removes credentials from text that may quote a connection string (driver
// errors, server replies): the user information of every URI in it, and the
// passwords of the URIs specrun was given wherever they appear. Passwords shorter
// than minSecret characters are removed only inside URIs: replacing every "ab" of a
// report would garble it and hide nothing.
type Redactor struct{ secrets []string }

const minSecret = 4

var uriInText = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>]+`)

// NewRedactor returns a Redactor for the passwords of these URIs ("" are ignored).
func NewRedactor(uris ...string) *Redactor {
	r := &Redactor{}
	for _, u := range uris {
		i := strings.Index(u, "://")
		if i < 0 {
			continue
		}
		rest := u[i+3:]
		if end := strings.IndexAny(rest, "?/"); end >= 0 && strings.LastIndexByte(rest[:end], '@') >= 0 {
			rest = rest[:end]
		}
		at := strings.LastIndexByte(rest, '@')
		if at < 0 {
			continue
		}
		_, password, ok := strings.Cut(rest[:at], ":")
		if !ok {
			continue
		}
		forms := []string{password}
		if p, err := url.PathUnescape(password); err == nil {
			forms = append(forms, p)
		}
		for _, p := range forms {
			if len(p) >= minSecret && !slices.Contains(r.secrets, p) {
				r.secrets = append(r.secrets, p)
			}
		}
	}
	// Longest first, so that a password containing another is removed whole.
	slices.SortFunc(r.secrets, func(a, b string) int { return len(b) - len(a) })
	return r
}

// String returns s without credentials.
func (r *Redactor) String(s string) string {
	s = uriInText.ReplaceAllStringFunc(s, RedactURI)
	for _, p := range r.secrets {
		s = strings.ReplaceAll(s, p, redacted)
	}
	return s
}

// Writer returns a writer that redacts each write before passing it on. Every write
// must hold whole lines or documents, as fmt.Fprint and the report writers do.
func (r *Redactor) Writer(w io.Writer) io.Writer { return redactingWriter{r, w} }

type redactingWriter struct {
	r *Redactor
	w io.Writer
}

func (rw redactingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(rw.w, rw.r.String(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Run redacts everything in a report that came from tests, the driver or the server.
func (r *Redactor) Run(run *Run) {
	run.Server.URI = RedactURI(run.Server.URI)
	for i := range run.Tests {
		t := &run.Tests[i]
		t.Reason, t.Detail = r.String(t.Reason), r.String(t.Detail)
	}
	if run.Partial != nil {
		run.Partial.Reason = r.String(run.Partial.Reason)
	}
}
