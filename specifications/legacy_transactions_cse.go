package specifications

import (
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Client-side encryption's clientOptions in the legacy transactions-style format
// (client-side-encryption/tests/legacy README "Test Format").

// clientOptions splits the test's clientOptions into URI options and client-side
// encryption's autoEncryptOpts (which the Unified Test Format has too).
func clientOptions(path string, opts bson.Raw) (uri bson.Raw, autoEncrypt bson.Raw, err *FieldError) {
	if opts == nil {
		return nil, nil, nil
	}
	var rest bson.D
	elems, _ := opts.Elements()
	for _, e := range elems {
		if e.Key() != "autoEncryptOpts" {
			rest = append(rest, bson.E{Key: e.Key(), Value: e.Value()})
			continue
		}
		doc, ok := e.Value().DocumentOK()
		if !ok {
			return nil, nil, typeError(joinPath(path, e.Key()), "a document", e.Value())
		}
		if autoEncrypt, err = legacyAutoEncryptOpts(joinPath(path, e.Key()), doc); err != nil {
			return nil, nil, err
		}
	}
	if rest != nil {
		uri = mustMarshal(rest)
	}
	return uri, autoEncrypt, nil
}

// legacyAutoEncryptOpts checks the client-side encryption README's autoEncryptOpts and
// gives it the unified shape: keyVaultNamespace defaults to keyvault.datakeys, and each
// KMS provider becomes the credentials the README has a runner fill in from its
// environment (local too: "local should be substituted with" the README's key), as
// unified $$placeholder values; awsTemporary and awsTemporaryNoSessionToken are aws
// with and without a session token. specrun fills none: it has no client-side
// encryption, and such clients are unsupported.
func legacyAutoEncryptOpts(path string, doc bson.Raw) (bson.Raw, *FieldError) {
	var in struct {
		KMSProviders         bson.Raw `spec:"kmsProviders,required"`
		SchemaMap            bson.Raw `spec:"schemaMap"`
		KeyVaultNamespace    string   `spec:"keyVaultNamespace"`
		BypassAutoEncryption *bool    `spec:"bypassAutoEncryption"`
		EncryptedFieldsMap   bson.Raw `spec:"encryptedFieldsMap"`
		ExtraOptions         bson.Raw `spec:"extraOptions"`
		BypassQueryAnalysis  *bool    `spec:"bypassQueryAnalysis"`
		KeyExpirationMS      *int64   `spec:"keyExpirationMS"`
	}
	if err := decodeDocument(path, doc, &in); err != nil {
		return nil, err
	}
	var providers bson.D
	elems, _ := in.KMSProviders.Elements()
	for _, p := range elems {
		name, suffix, named := strings.Cut(p.Key(), ":")
		credentials, known := legacyKMSCredentials[name]
		if !known {
			return nil, fieldErrorf(joinPath(path, "kmsProviders."+p.Key()), "unknown KMS provider")
		}
		if _, ok := p.Value().DocumentOK(); !ok {
			return nil, typeError(joinPath(path, "kmsProviders."+p.Key()), "a document", p.Value())
		}
		unified := strings.TrimSuffix(strings.TrimSuffix(name, "NoSessionToken"), "Temporary")
		if named {
			unified += ":" + suffix
		}
		var fill bson.D
		for _, c := range credentials {
			fill = append(fill, bson.E{Key: c, Value: bson.D{{Key: "$$placeholder", Value: 1}}})
		}
		providers = append(providers, bson.E{Key: unified, Value: fill})
	}
	var out bson.D
	for _, e := range mustElements(doc) {
		if e.Key() == "kmsProviders" {
			out = append(out, bson.E{Key: e.Key(), Value: providers})
			continue
		}
		out = append(out, bson.E{Key: e.Key(), Value: e.Value()})
	}
	if in.KeyVaultNamespace == "" {
		out = append(out, bson.E{Key: "keyVaultNamespace", Value: LegacyKeyVaultDatabase + "." + LegacyKeyVaultCollection})
	}
	return mustMarshal(out), nil
}

// legacyKMSCredentials are the credentials the README fills in for each KMS provider.
var legacyKMSCredentials = map[string][]string{
	"aws":                        {"accessKeyId", "secretAccessKey"},
	"awsTemporary":               {"accessKeyId", "secretAccessKey", "sessionToken"},
	"awsTemporaryNoSessionToken": {"accessKeyId", "secretAccessKey"},
	"azure":                      {"tenantId", "clientId", "clientSecret"},
	"gcp":                        {"email", "privateKey"},
	"kmip":                       {"endpoint"},
	"local":                      {"key"},
}

func mustElements(doc bson.Raw) []bson.RawElement {
	elems, _ := doc.Elements()
	return elems
}
