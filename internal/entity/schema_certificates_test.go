package entity

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"testing"
	"time"
)

type testPair struct{ cert, key string }

// newPair creates a self-signed certificate and its PEM key.
func newPair(t *testing.T, ec, ca bool, notAfter time.Time) testPair {
	t.Helper()
	var signer crypto.Signer
	var err error
	if ec {
		signer, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	} else {
		signer, err = rsa.GenerateKey(rand.Reader, 2048)
	}
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "a.test"},
		NotBefore: time.Now().Add(-2 * time.Hour), NotAfter: notAfter,
		BasicConstraintsValid: true, IsCA: ca,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, signer.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(signer)
	if err != nil {
		t.Fatal(err)
	}
	return testPair{
		cert: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		key:  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})),
	}
}

func certBody(t *testing.T, fields map[string]any) string {
	t.Helper()
	b, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCertificates(t *testing.T) {
	year := time.Now().Add(365 * 24 * time.Hour)
	rsaPair, ecPair, rsaPair2 := newPair(t, false, false, year), newPair(t, true, false, year), newPair(t, false, false, year)

	out := mustProcess(t, Certificates, certBody(t, map[string]any{"cert": rsaPair.cert, "key": rsaPair.key,
		"snis": []any{"b.test", "a.test"}}), OpInsert, nil)
	if !jsonEqual(out["snis"], []any{"a.test", "b.test"}) {
		t.Errorf("snis = %v", out["snis"])
	}
	if !jsonEqual(fieldNames(out), setOf("id", "created_at", "updated_at", "cert", "key", "cert_alt", "key_alt", "tags", "snis")) {
		t.Errorf("fields = %v", fieldNames(out))
	}
	none := mustProcess(t, Certificates, certBody(t, map[string]any{"cert": rsaPair.cert, "key": rsaPair.key}), OpInsert, nil)
	if !jsonEqual(none["snis"], []any{}) {
		t.Errorf("snis without names = %v", none["snis"])
	}
	mustProcess(t, Certificates, certBody(t, map[string]any{"cert": rsaPair.cert, "key": rsaPair.key,
		"cert_alt": ecPair.cert, "key_alt": ecPair.key}), OpInsert, nil)

	tests := []struct {
		name   string
		fields map[string]any
		want   string
	}{
		{"mismatch", map[string]any{"cert": rsaPair.cert, "key": rsaPair2.key}, "schema violation (certificate does not match key)"},
		{"alt mismatch", map[string]any{"cert": rsaPair.cert, "key": rsaPair.key, "cert_alt": ecPair.cert, "key_alt": rsaPair2.key},
			"schema violation (alternative certificate does not match key)"},
		{"alt same type", map[string]any{"cert": rsaPair.cert, "key": rsaPair.key, "cert_alt": rsaPair2.cert, "key_alt": rsaPair2.key},
			"schema violation (certificate and alternative certificate need to have different type (e.g. RSA and ECDSA), the provided certificates were both of the same type)"},
		{"alt without key", map[string]any{"cert": rsaPair.cert, "key": rsaPair.key, "cert_alt": ecPair.cert},
			"schema violation (all or none of these fields must be set: 'cert_alt', 'key_alt')"},
		{"duplicate sni", map[string]any{"cert": rsaPair.cert, "key": rsaPair.key, "snis": []any{"a.test", "a.test"}},
			"schema violation (snis: a.test is duplicated)"},
		{"not pem", map[string]any{"cert": "x", "key": rsaPair.key},
			"schema violation (cert: invalid certificate: no PEM data found)"},
		{"missing key", map[string]any{"cert": rsaPair.cert}, "schema violation (key: required field missing)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := processErr(t, Certificates, certBody(t, tt.fields), OpInsert, nil); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSNIs(t *testing.T) {
	out := mustProcess(t, SNIs, `{"name":"*.a.test","certificate":{"id":"`+testUUID+`"}}`, OpInsert, nil)
	if !jsonEqual(fieldNames(out), setOf("id", "name", "created_at", "updated_at", "tags", "certificate")) {
		t.Errorf("fields = %v", fieldNames(out))
	}
	tests := []struct{ in, want string }{
		{`{"name":"a.*.test","certificate":{"id":"` + testUUID + `"}}`, "schema violation (name: wildcard must be leftmost or rightmost character)"},
		{`{"name":"*.a.*","certificate":{"id":"` + testUUID + `"}}`, "schema violation (name: only one wildcard must be specified)"},
		{`{"name":"a.test:80","certificate":{"id":"` + testUUID + `"}}`, "schema violation (name: must not have a port)"},
		{`{"name":"a.test"}`, "schema violation (certificate: required field missing)"},
	}
	for _, tt := range tests {
		if got := processErr(t, SNIs, tt.in, OpInsert, nil); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCACertificates(t *testing.T) {
	year := time.Now().Add(365 * 24 * time.Hour)
	ca := newPair(t, true, true, year)
	out := mustProcess(t, CACertificates, certBody(t, map[string]any{"cert": ca.cert}), OpInsert, nil)
	if digest, _ := out["cert_digest"].(string); len(digest) != 64 || digest != CertificateDigest(ca.cert) {
		t.Errorf("cert_digest = %v", out["cert_digest"])
	}
	tests := []struct {
		name string
		cert string
		want string
	}{
		{"not a CA", newPair(t, true, false, year).cert,
			`schema violation (certificate does not appear to be a CA because it is missing the "CA" basic constraint)`},
		{"expired", newPair(t, true, true, time.Now().Add(-time.Hour)).cert,
			`schema violation (certificate expired, "Not After" time is in the past)`},
		{"two certs", ca.cert + ca.cert, "schema violation (please submit only one certificate at a time)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := processErr(t, CACertificates, certBody(t, map[string]any{"cert": tt.cert}), OpInsert, nil); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
