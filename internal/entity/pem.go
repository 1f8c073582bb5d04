package entity

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"time"
)

// parseCertificate decodes the first PEM certificate of s.
func parseCertificate(s string) (*x509.Certificate, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, fmt.Errorf("no PEM data found")
	}
	if block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("unexpected PEM block %q", block.Type)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse certificate: %w", err)
	}
	return cert, nil
}

// parsePrivateKey decodes a PEM private key (PKCS#1, PKCS#8 or EC).
func parsePrivateKey(s string) (any, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, fmt.Errorf("no PEM data found")
	}
	if key, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		return key, nil
	}
	if key, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return key, nil
	}
	key, err := x509.ParseECPrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse private key: unsupported or malformed %q block", block.Type)
	}
	return key, nil
}

// checkCertificatePEM is the certificate typedef.
func checkCertificatePEM(v any) string {
	s, _ := v.(string)
	if _, err := parseCertificate(s); err != nil {
		return "invalid certificate: " + err.Error()
	}
	return ""
}

// checkKeyPEM is the key typedef.
func checkKeyPEM(v any) string {
	s, _ := v.(string)
	if _, err := parsePrivateKey(s); err != nil {
		return "invalid key: " + err.Error()
	}
	return ""
}

// keyPairMatches reports whether the PEM certificate and key belong
// together.
func keyPairMatches(cert, key any) bool {
	c, okc := cert.(string)
	k, okk := key.(string)
	if !okc || !okk {
		return true
	}
	_, err := tls.X509KeyPair([]byte(c), []byte(k))
	return err == nil
}

// countPEMCertificates counts the CERTIFICATE blocks of s.
func countPEMCertificates(s string) int {
	n := 0
	rest := []byte(s)
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return n
		}
		if block.Type == "CERTIFICATE" {
			n++
		}
	}
}

// checkCACertificate returns the entity message for a CA certificate that
// is not exactly one, unexpired CA certificate.
func checkCACertificate(s string, now time.Time) string {
	if countPEMCertificates(s) > 1 {
		return "please submit only one certificate at a time"
	}
	cert, err := parseCertificate(s)
	if err != nil {
		return ""
	}
	if cert.NotAfter.Before(now) {
		return "certificate expired, \"Not After\" time is in the past"
	}
	if !cert.BasicConstraintsValid || !cert.IsCA {
		return "certificate does not appear to be a CA because it is missing the \"CA\" basic constraint"
	}
	return ""
}
