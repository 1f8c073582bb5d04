package store

import (
	"encoding/base64"
	"errors"
	"testing"

	"github.com/straitgw/strait/internal/entity"
)

func TestOffsetRoundTrip(t *testing.T) {
	for _, id := range []string{"", "a", "0c4c7c5e-8f55-4d62-9a55-2a7f6a3e7e0f", "ü/+?=&"} {
		token := EncodeOffset(id)
		got, err := DecodeOffset(token)
		if err != nil || got != id {
			t.Fatalf("DecodeOffset(EncodeOffset(%q)) = %q, %v", id, got, err)
		}
	}
}

func TestDecodeOffsetAlphabets(t *testing.T) {
	raw := []byte(`["a>b?"]`) // encodes with + or / in the standard alphabet
	cases := []struct {
		desc, token string
	}{
		{"url, unpadded", base64.RawURLEncoding.EncodeToString(raw)},
		{"standard, unpadded", base64.RawStdEncoding.EncodeToString(raw)},
		{"standard, padded", base64.StdEncoding.EncodeToString(raw)},
		{"url, padded", base64.URLEncoding.EncodeToString(raw)},
	}
	for _, c := range cases {
		if got, err := DecodeOffset(c.token); err != nil || got != "a>b?" {
			t.Fatalf("%s %q: got %q, %v", c.desc, c.token, got, err)
		}
	}
}

func TestDecodeOffsetInvalid(t *testing.T) {
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	cases := []struct {
		token, reason string
	}{
		{"x", "bad base64 encoding"},
		{"=", "bad base64 encoding"},
		{"a b", "bad base64 encoding"},
		{b64("nope"), "bad json encoding"},
		{b64(`"a"`), "bad json encoding"},
		{b64(`[]`), "bad json encoding"},
		{b64(`["a","b"]`), "bad json encoding"},
		{b64(`[1]`), "bad json encoding"},
	}
	for _, c := range cases {
		_, err := DecodeOffset(c.token)
		var e *entity.Error
		if !errors.As(err, &e) {
			t.Fatalf("%q: want *entity.Error, got %v", c.token, err)
		}
		want := "'" + c.token + "' is not a valid offset: " + c.reason
		if e.Code != entity.CodeInvalidOffset || e.Name != "invalid offset" || e.Message != want || e.Status() != 400 {
			t.Fatalf("%q: got %d %q %q, want 7 invalid offset %q", c.token, e.Code, e.Name, e.Message, want)
		}
	}
}
