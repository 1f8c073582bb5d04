package jwt

import (
	"testing"

	jwtlib "github.com/golang-jwt/jwt/v5"

	"github.com/straitgw/strait/internal/plugin/plugintest"
)

// benchmarkVerify measures one authenticated request: token lookup,
// decoding, credential lookup, signature and claim checks.
func benchmarkVerify(b *testing.B, token string) {
	d := testDirectory(b, newKeys(b))
	h := newHandler(b, map[string]any{"claims_to_verify": []any{"exp"}})
	ctx := testCtx{plugintest.NewContext("/"), d}
	ctx.Req.Headers.Set("Authorization", "Bearer "+token)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if fail := h.authenticate(ctx); fail != nil {
			b.Fatalf("rejected: %s", fail.body)
		}
	}
}

func BenchmarkVerifyHS256(b *testing.B) {
	claims := jwtlib.MapClaims{"iss": "hs-iss", "exp": int64(1) << 40}
	benchmarkVerify(b, sign(b, jwtlib.SigningMethodHS256, []byte(hsSecret), claims))
}

func BenchmarkVerifyRS256(b *testing.B) {
	claims := jwtlib.MapClaims{"iss": "rs-iss", "exp": int64(1) << 40}
	benchmarkVerify(b, sign(b, jwtlib.SigningMethodRS256, newKeys(b).rsa, claims))
}
