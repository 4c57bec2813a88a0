package report

import (
	"cmp"
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
//   - the values of options that carry secrets (those whose name holds "password",
//     "secret" or "token": tlsCertificateKeyFilePassword,
//     sslClientCertificateKeyPassword, proxyPassword; and authMechanismProperties
//     when one of its properties is so named, as AWS_SESSION_TOKEN) are replaced with
//     REDACTED.
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
	key = unescaped(key)
	if secretName(key) {
		return true
	}
	if strings.EqualFold(key, "authMechanismProperties") {
		for _, prop := range strings.Split(unescaped(value), ",") {
			if k, _, ok := strings.Cut(prop, ":"); ok && secretName(k) {
				return true
			}
		}
	}
	return false
}

// Redactor removes credentials from text that may quote what the user gave as a
// connection string (driver errors, server replies, specrun's own messages): the
// user information of every URI in it (see RedactURI), and, wherever they appear,
// the secrets of the strings specrun was given (flags, environment).
//
// The secrets are found without parsing those strings as URIs, so that a mistyped
// one (mongodb:/user:pass@host, user:pass@host, an option with a bad % escape) is
// covered too:
//
//   - a userinfo-shaped part: the text before the last "@" that precedes the
//     options, less a scheme ("mongodb://", "mongodb:/"); it is removed with its
//     "@", and the password in it (after the first ":", and after the last) is
//     replaced with REDACTED;
//   - the value of every option whose name holds "password", "secret" or "token"
//     (tlsCertificateKeyFilePassword, proxyPassword, …), and of
//     authMechanismProperties when one of its properties is so named
//     (AWS_SESSION_TOKEN): the whole value and each such property's value.
//
// Each secret is removed as given and percent-decoded (and re-encoded), since the
// driver quotes either. Secrets shorter than minSecret characters are removed only
// where they cannot be mistaken for other text: inside URIs, with their "@", as
// key=value, or quoted ("ab"): replacing every "ab" of a report would garble it and
// hide nothing.
type Redactor struct{ replace *strings.Replacer }

const minSecret = 4

var uriInText = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>]+`)

// NewRedactor returns a Redactor for the secrets of these strings, each a connection
// string as the user gave it, whether it parses or not ("" are ignored).
func NewRedactor(given ...string) *Redactor {
	s := secrets{}
	for _, g := range given {
		s.userinfo(g)
		s.options(g)
	}
	return &Redactor{replace: s.replacer()}
}

// secrets maps each text to remove to what replaces it.
type secrets map[string]string

// add records a secret in all its forms: as given, percent-decoded, and re-encoded.
func (s secrets) add(secret string) {
	for _, form := range encodings(secret) {
		if len(form) >= minSecret {
			s[form] = redacted
		} else if form != "" {
			s[`"`+form+`"`] = `"` + redacted + `"`
		}
	}
}

func encodings(v string) []string {
	forms := []string{v}
	for _, unescape := range []func(string) (string, error){url.PathUnescape, url.QueryUnescape} {
		if d, err := unescape(v); err == nil {
			forms = append(forms, d, url.PathEscape(d), url.QueryEscape(d))
		}
	}
	return forms
}

var schemePrefix = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:/+`)

// userinfo finds the userinfo-shaped part of g: up to the last "@" before the "?"
// that follows the first "@" (so that a password with an unescaped "@" is covered
// whole), after "://" or a scheme with a slash or more, and after leading slashes.
func (s secrets) userinfo(g string) {
	first := strings.IndexByte(g, '@')
	if first < 0 {
		return
	}
	end := len(g)
	if q := strings.IndexByte(g[first:], '?'); q >= 0 {
		end = first + q
	}
	info := g[:strings.LastIndexByte(g[:end], '@')]
	if i := strings.Index(info, "://"); i >= 0 {
		info = info[i+3:]
	} else {
		info = schemePrefix.ReplaceAllString(info, "")
	}
	info = strings.TrimLeft(info, "/")
	_, password, ok := strings.Cut(info, ":")
	if !ok {
		return // a user name alone is no secret (inside URIs it is removed all the same)
	}
	for _, form := range encodings(info) {
		s[form+"@"] = ""
	}
	s.add(password)
	s.add(info[strings.LastIndexByte(info, ':')+1:])
}

// optionInText is key=value in a query string (or anywhere: the string may not parse).
var optionInText = regexp.MustCompile(`([^?&;=\s]+)=([^&;\s]*)`)

// options finds the values of the options that carry secrets.
func (s secrets) options(g string) {
	for _, m := range optionInText.FindAllStringSubmatch(g, -1) {
		key, value := unescaped(m[1]), m[2]
		switch {
		case value == "":
		case secretName(key):
			s.add(value)
			s[m[1]+"="+value] = m[1] + "=" + redacted
		case strings.EqualFold(key, "authMechanismProperties"):
			found := false
			for _, prop := range strings.Split(unescaped(value), ",") {
				if k, v, ok := strings.Cut(prop, ":"); ok && secretName(k) {
					s.add(v)
					found = true
				}
			}
			if found {
				s.add(value)
				s[m[1]+"="+value] = m[1] + "=" + redacted
			}
		}
	}
}

// secretName says whether an option or property of this name holds a secret.
func secretName(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "password") || strings.Contains(n, "secret") || strings.Contains(n, "token")
}

func unescaped(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// replacer replaces the longest secrets first, so that a secret containing another
// is removed whole.
func (s secrets) replacer() *strings.Replacer {
	olds := make([]string, 0, len(s))
	for old := range s {
		olds = append(olds, old)
	}
	slices.SortFunc(olds, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	pairs := make([]string, 0, 2*len(olds))
	for _, old := range olds {
		pairs = append(pairs, old, s[old])
	}
	return strings.NewReplacer(pairs...)
}

// String returns s without credentials.
func (r *Redactor) String(s string) string {
	s = uriInText.ReplaceAllStringFunc(s, RedactURI)
	return r.replace.Replace(s)
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
	for i, a := range run.Command {
		run.Command[i] = r.String(a)
	}
}
