package router

import (
	"strings"
	"testing"
)

func TestNormalizePath(t *testing.T) {
	tests := []struct {
		raw, want string
	}{
		{"/", "/"},
		{"", "/"},
		{"/a/b/c", "/a/b/c"},
		{"/a/b/c/", "/a/b/c/"},
		{"/a//b///c", "/a/b/c"},
		{"/a/./b/../c", "/a/c"},
		{"/a/b/..", "/a/"},
		{"/a/b/.", "/a/b/"},
		{"/..", "/"},
		{"/../../x", "/x"},
		{"/a/..", "/"},
		{"/a//..", "/"},
		{"/.well-known/x", "/.well-known/x"},
		{"/a/...", "/a/..."},
		{"/a/..b/.c", "/a/..b/.c"},
		{"no-slash", "/no-slash"},
		{"/%41%62%63", "/Abc"},
		{"/%7e%2D%5f", "/~-_"},
		{"/a%2fb%2Fc", "/a%2Fb%2Fc"},
		{"/%21%23%24%25%26%27%28%29%2a%2b%2c%2f%3a%3b%3d%3f%40%5b%5d",
			"/%21%23%24%25%26%27%28%29%2A%2B%2C%2F%3A%3B%3D%3F%40%5B%5D"},
		{"/t/Abc%20123%C3%B8/parent/../test/.", "/t/Abc 123\xc3\xb8/test/"},
		{"/%", "/%25"},
		{"/%4", "/%254"},
		{"/%zz", "/%25zz"},
		{"/%%34%31", "/%2541"},
	}
	for _, tt := range tests {
		if got := NormalizePath(tt.raw); got != tt.want {
			t.Errorf("NormalizePath(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}

// TestNormalizePathBypassCorpus covers the path-confusion corpus: every
// encoding of a dot segment is resolved before routing, reserved
// characters stay encoded, and nothing is decoded twice.
func TestNormalizePathBypassCorpus(t *testing.T) {
	tests := []struct {
		raw, want string
	}{
		{"/api/../admin", "/admin"},
		{"/api/./../admin", "/admin"},
		{"/api/%2e%2e/admin", "/admin"},
		{"/api/%2E%2E/admin", "/admin"},
		{"/api/.%2e/admin", "/admin"},
		{"/api/%2e./admin", "/admin"},
		{"/api%2f..%2fadmin", "/api%2F..%2Fadmin"},
		{"/api%2F..%2Fadmin", "/api%2F..%2Fadmin"},
		{"/api/..%2fadmin", "/api/..%2Fadmin"},
		{"/api/..;/admin", "/api/..;/admin"},
		{`/api/..\admin`, `/api/..\admin`},
		{"/api/%5c../admin", `/api/\../admin`},
		{"//admin", "/admin"},
		{"///admin", "/admin"},
		{"/./admin", "/admin"},
		{"/admin/.", "/admin/"},
		{"/ADMIN", "/ADMIN"},
		{"/Admin", "/Admin"},
		{"/admin%20", "/admin "},
		{"/admin%09", "/admin\t"},
		{"/admin%00", "/admin\x00"},
		{"/%61dmin", "/admin"},
		{"/%2561dmin", "/%2561dmin"},
		{"/admin#/../x", "/x"},
		{"/api#/../admin", "/admin"},
		{"/admin;x=y", "/admin;x=y"},
		{"/admin.json", "/admin.json"},
		{"/%c0%ae%c0%ae/admin", "/\xc0\xae\xc0\xae/admin"},
		{"/\uff0561dmin", "/\uff0561dmin"},
		{"/api/%u002e%u002e/admin", "/api/%25u002e%25u002e/admin"},
	}
	for _, tt := range tests {
		got := NormalizePath(tt.raw)
		if got != tt.want {
			t.Errorf("NormalizePath(%q) = %q, want %q", tt.raw, got, tt.want)
		}
		if again := NormalizePath(got); again != got {
			t.Errorf("NormalizePath not idempotent on %q: %q then %q", tt.raw, got, again)
		}
	}
}

func TestNormalizePathDoesNotCopyNormalizedInput(t *testing.T) {
	inputs := []string{"/", "/a/b/c", "/api/v1/users/42", "/a%2Fb/", "/.well-known/x"}
	for _, in := range inputs {
		allocs := testing.AllocsPerRun(100, func() {
			if NormalizePath(in) != in {
				t.Fatalf("%q changed", in)
			}
		})
		if allocs != 0 {
			t.Errorf("NormalizePath(%q) allocated %v times", in, allocs)
		}
	}
}

// checkNormalized asserts the properties every result must have.
func checkNormalized(t *testing.T, raw, got string) {
	t.Helper()
	if again := NormalizePath(got); again != got {
		t.Fatalf("not idempotent: %q -> %q -> %q", raw, got, again)
	}
	if !strings.HasPrefix(got, "/") {
		t.Fatalf("%q -> %q does not start with /", raw, got)
	}
	if strings.Contains(got, "//") {
		t.Fatalf("%q -> %q keeps an empty segment", raw, got)
	}
	for _, seg := range strings.Split(got, "/") {
		if seg == "." || seg == ".." {
			t.Fatalf("%q -> %q keeps a dot segment", raw, got)
		}
	}
	if !isNormalized(got) {
		t.Fatalf("%q -> %q is not recognised as normalised", raw, got)
	}
}

func FuzzNormalizePath(f *testing.F) {
	seeds := []string{
		"/", "", "/a/b/../c", "/%2e%2e/", "/%2500", "/%2561dmin", "/%%36%31",
		"/a//b", "/./.", "/..", "/a/%2E./b", "/%2f%2F", "%", "/%4", "a/../b",
		"/api/..;/admin", "/\x00/..", "/%c0%ae%c0%ae/",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got := NormalizePath(raw)
		checkNormalized(t, raw, got)
		if strings.HasPrefix(raw, "/") && !hasStrayPercent(raw) {
			if want := kongNormalize(raw); got != want {
				t.Fatalf("NormalizePath(%q) = %q, reference %q", raw, got, want)
			}
		}
	})
}

// kongNormalize is a direct transcription of the reference algorithm
// (decode, then the RFC 3986 remove-dot-segments loop with slash
// merging), used to cross-check NormalizePath on well-formed input.
func kongNormalize(uri string) string {
	if uri == "" || uri == "/" {
		return uri
	}
	var b strings.Builder
	for i := 0; i < len(uri); i++ {
		if uri[i] == '%' && i+2 < len(uri) && isHex(uri[i+1]) && isHex(uri[i+2]) {
			c := unhex(uri[i+1])<<4 | unhex(uri[i+2])
			if isReserved[c] {
				b.WriteString(strings.ToUpper(uri[i : i+3]))
			} else {
				b.WriteByte(c)
			}
			i += 2
			continue
		}
		b.WriteByte(uri[i])
	}
	uri = b.String()
	var out []string
	for len(uri) > 0 {
		switch {
		case uri == "/.":
			uri = "/"
		case uri == "/..":
			uri = "/"
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		case uri == "." || uri == "..":
			uri = ""
		case strings.HasPrefix(uri, "../"):
			uri = uri[3:]
		case strings.HasPrefix(uri, "./"):
			uri = uri[2:]
		case strings.HasPrefix(uri, "/./"):
			uri = uri[2:]
		case strings.HasPrefix(uri, "/../"):
			uri = uri[3:]
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		case strings.HasPrefix(uri, "//"):
			uri = uri[1:]
		default:
			i := strings.IndexByte(uri[1:], '/')
			if i < 0 {
				out = append(out, uri)
				uri = ""
			} else {
				out = append(out, uri[:i+1])
				uri = uri[i+1:]
			}
		}
	}
	return strings.Join(out, "")
}

// hasStrayPercent reports a '%' that does not start a valid triplet.
func hasStrayPercent(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return true
			}
			i += 2
		}
	}
	return false
}

func TestNormalizePathAgreesWithReference(t *testing.T) {
	inputs := []string{
		"/a/b/../c", "/a//b", "/a/./b/", "/a/b/..", "/..", "/../a", "/a/%2e%2E/b",
		"/%2e/a", "/a/.%2e", "//", "///a//", "/a/b/c/../../..", "/a/b/c/../../../..",
		"/.a/..b/...", "/a/%2F../b", "/%41%2f%42",
	}
	for _, in := range inputs {
		if got, want := NormalizePath(in), kongNormalize(in); got != want {
			t.Errorf("NormalizePath(%q) = %q, reference %q", in, got, want)
		}
	}
}
