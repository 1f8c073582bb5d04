package entity

import (
	"crypto/sha256"
	"encoding/hex"
	"reflect"
	"sort"
	"time"
)

// Certificates is the schema of TLS certificate/key pairs. Its snis field
// carries the names served with the certificate (stored as SNI rows) and
// is returned sorted.
var Certificates = &Schema{
	Name:       "certificates",
	AdminPath:  "certificates",
	PrimaryKey: "id",
	Fields: []*Field{
		idField(),
		timestampField("created_at"),
		timestampField("updated_at"),
		{Name: "cert", Type: TypeString, Required: true, Check: checkCertificatePEM},
		{Name: "key", Type: TypeString, Required: true, Check: checkKeyPEM},
		{Name: "cert_alt", Type: TypeString, Check: checkCertificatePEM},
		{Name: "key_alt", Type: TypeString, Check: checkKeyPEM},
		tagsField(),
		{Name: "snis", Type: TypeArray, Elements: &Field{Type: TypeString, Check: checkWildcardHost}, Check: checkDuplicateNames},
	},
	Checks: []EntityCheck{
		{Kind: CheckAllOrNone, Fields: []string{"cert_alt", "key_alt"},
			JSON: map[string]any{CheckAllOrNone: []any{"cert_alt", "key_alt"}}},
		certCheck([]string{"cert", "key"}, func(o Object) string {
			if !keyPairMatches(o["cert"], o["key"]) {
				return "certificate does not match key"
			}
			return ""
		}),
		certCheck([]string{"cert_alt", "key_alt"}, func(o Object) string {
			if o["cert_alt"] != nil && o["key_alt"] != nil && !keyPairMatches(o["cert_alt"], o["key_alt"]) {
				return "alternative certificate does not match key"
			}
			return ""
		}),
		certCheck([]string{"cert", "cert_alt"}, func(o Object) string {
			if o["cert_alt"] != nil && sameKeyType(o["cert"], o["cert_alt"]) {
				return "certificate and alternative certificate need to have different type (e.g. RSA and ECDSA), the provided certificates were both of the same type"
			}
			return ""
		}),
	},
	Normalize: func(obj Object) {
		names, _ := obj["snis"].([]any)
		sorted := make([]string, 0, len(names))
		for _, n := range names {
			if s, ok := n.(string); ok {
				sorted = append(sorted, s)
			}
		}
		sort.Strings(sorted)
		obj["snis"] = stringsToAny(sorted)
	},
}

func certCheck(fields []string, fn func(Object) string) EntityCheck {
	return EntityCheck{Kind: CheckCustom, Fields: fields,
		JSON: map[string]any{CheckCustom: map[string]any{"field_sources": stringsToAny(fields)}},
		Custom: func(obj Object, _ Operation) map[string]any {
			if msg := fn(obj); msg != "" {
				return map[string]any{entityKey: []any{msg}}
			}
			return nil
		}}
}

func sameKeyType(a, b any) bool {
	as, _ := a.(string)
	bs, _ := b.(string)
	ca, errA := parseCertificate(as)
	cb, errB := parseCertificate(bs)
	if errA != nil || errB != nil {
		return false
	}
	return reflect.TypeOf(ca.PublicKey) == reflect.TypeOf(cb.PublicKey)
}

// checkDuplicateNames reports the first name listed twice.
func checkDuplicateNames(v any) string {
	list, _ := v.([]any)
	seen := make(map[string]bool, len(list))
	for _, e := range list {
		s, _ := e.(string)
		if seen[s] {
			return s + " is duplicated"
		}
		seen[s] = true
	}
	return ""
}

// SNIs is the schema of server names bound to certificates.
var SNIs = &Schema{
	Name:        "snis",
	AdminPath:   "snis",
	PrimaryKey:  "id",
	EndpointKey: "name",
	Fields: []*Field{
		idField(),
		{Name: "name", Type: TypeString, Required: true, Unique: true, Check: checkWildcardHost},
		timestampField("created_at"),
		timestampField("updated_at"),
		tagsField(),
		foreignField("certificate", "certificates", Cascade, true),
	},
}

// CACertificates is the schema of trusted CA certificates.
var CACertificates = &Schema{
	Name:       "ca_certificates",
	AdminPath:  "ca_certificates",
	PrimaryKey: "id",
	Fields: []*Field{
		idField(),
		timestampField("created_at"),
		timestampField("updated_at"),
		{Name: "cert", Type: TypeString, Required: true, Check: checkCertificatePEM},
		{Name: "cert_digest", Type: TypeString, Unique: true},
		tagsField(),
	},
	Checks: []EntityCheck{{Kind: CheckCustom, Fields: []string{"cert"},
		JSON: map[string]any{CheckCustom: map[string]any{"field_sources": []any{"cert"}}},
		Custom: func(obj Object, _ Operation) map[string]any {
			s, _ := obj["cert"].(string)
			if msg := checkCACertificate(s, time.Now()); msg != "" {
				return map[string]any{entityKey: []any{msg}}
			}
			return nil
		}}},
	Normalize: func(obj Object) {
		if s, ok := obj["cert"].(string); ok {
			obj["cert_digest"] = CertificateDigest(s)
		}
	},
}

// CertificateDigest is the lowercase hex SHA-256 of the DER bytes of the
// first PEM certificate in s ("" when s holds none).
func CertificateDigest(s string) string {
	cert, err := parseCertificate(s)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(cert.Raw)
	return hex.EncodeToString(sum[:])
}
