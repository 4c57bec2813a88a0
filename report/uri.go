package report

import (
	"net/url"
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
