package router

import (
	"math/rand"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
)

// TestRegexPathAgreesWithWholeRegex checks that a compiled regex path,
// split or not, matches and captures exactly as the whole regex anchored
// at the start does.
func TestRegexPathAgreesWithWholeRegex(t *testing.T) {
	sources := []string{
		`/users/(?<id>\d+)$`,
		`/users/\d+`,
		`/abc`,
		`/abc+`,
		`/ab*c`,
		`/ab?`,
		`/ab{2}`,
		`/ab{2,}x`,
		`/a{`,
		`/ab|/cd`,
		`/a(b|c)d`,
		`/api/(v1|v2)/(?P<rest>.*)`,
		`/a\.b/(\w+)`,
		`/x\b`,
		`/x\Bx`,
		`/x(?m)^y`,
		`/x(?m:$)`,
		`/x$`,
		`/x\z`,
		`/x\A`,
		`/a(?i)bc`,
		`(?i)/abc`,
		`/a(?:b)c`,
		`/a(b)c`,
		`/ab*?c`,
		`/caf\x{e9}/(\d)`,
		`/café/(\d)`,
		`/a.c`,
		`/a[bc]d`,
		`/a[^/]+/b`,
		`/[a-z]+`,
		`.*`,
		``,
		`/`,
		`/a()b`,
		`/a(?:)b`,
		`/a(x)?b`,
		`/a/(?<x>[0-9]+)-(?<y>[0-9]+)$`,
		`/a/b/c/d/e/f/g/h/(\d+)/i`,
	}
	paths := []string{
		"/", "/a", "/ab", "/abc", "/abcc", "/abbc", "/abbbx", "/ac", "/abd", "/acd", "/cd", "/x", "/xx", "/xy",
		"/x\ny", "/x/", "/ABC", "/aBC", "/users/42", "/users/42/x", "/users/", "/api/v1/a/b", "/api/v3/a",
		"/a.b/word", "/aXb/word", "/café/1", "/caf/1", "/a{", "/a{b", "/axb", "/ab", "/a/12-34", "/a/12-",
		"/a/b/c/d/e/f/g/h/7/i", "/abbc/more", "",
	}
	cache := newRegexCache()
	for _, src := range sources {
		rp, err := compileRegexPath("~"+src, cache)
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		whole := regexp.MustCompile("^(?:" + src + ")")
		if rp.re.NumSubexp() != whole.NumSubexp() || !slices.Equal(rp.re.SubexpNames(), whole.SubexpNames()) {
			t.Errorf("%q: groups %v, want %v", src, rp.re.SubexpNames(), whole.SubexpNames())
		}
		for _, p := range paths {
			want := whole.MatchString(p)
			if got := rp.match(p); got != want {
				t.Errorf("%q on %q: match %v, want %v (skip %d)", src, p, got, want, rp.skip)
				continue
			}
			if want && !strings.HasPrefix(p, rp.literal) {
				t.Errorf("%q on %q: a match does not start with the literal %q", src, p, rp.literal)
			}
			if !want {
				continue
			}
			if got, want := rp.submatchIndex(p), whole.FindStringSubmatchIndex(p); !slices.Equal(got, want) {
				t.Errorf("%q on %q: submatches %v, want %v (skip %d)", src, p, got, want, rp.skip)
			}
		}
	}
}

func TestRegexPathSplits(t *testing.T) {
	tests := []struct {
		src  string
		skip int
	}{
		{`/users/(?<id>\d+)$`, len("/users/")},
		{`/abc`, len("/abc")},
		{`/abc+`, len("/ab")},
		{`/ab|/cd`, 0},     // top-level alternation
		{`/x\b`, 0},        // \b looks at the cut
		{`(?i)/abc`, 0},    // nothing plain at the start
		{`/a\.b/(\w+)`, 2}, // the escape ends the plain text
		{`/a(?i)bc`, len("/a")},
		{`.*`, 0},
	}
	for _, tt := range tests {
		rp, err := compileRegexPath("~"+tt.src, newRegexCache())
		if err != nil {
			t.Fatalf("%q: %v", tt.src, err)
		}
		if rp.skip != tt.skip {
			t.Errorf("%q: skip %d, want %d", tt.src, rp.skip, tt.skip)
		}
	}
}

func TestRegexPathErrorsUnchanged(t *testing.T) {
	// The error of a bad regex is the one compiling the anchored regex
	// reports.
	for _, src := range []string{`/a(b`, `/a)|(b`, `/a[`, `/a**`} {
		_, err := compileRegexPath("~"+src, newRegexCache())
		_, want := regexp.Compile("^(?:" + src + ")")
		if want == nil {
			// The anchored form compiles but the path alone does not parse.
			if err == nil {
				t.Errorf("%q: no error", src)
			}
			continue
		}
		if err == nil || err.Error() != "invalid regex: "+want.Error() {
			t.Errorf("%q: error %v, want invalid regex: %v", src, err, want)
		}
	}
}

// TestRegexPathAgreesOnRandomRegexes repeats the comparison on regexes
// assembled at random from common fragments.
func TestRegexPathAgreesOnRandomRegexes(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	fragments := []string{"/", "/", "a", "b", "ab", `\d+`, `\d`, "(x|y)", "(?<n>a+)", "*", "+", "?", "$", `\b`,
		".", "[ab]", "{2}", "(?i)", "|", "(", ")", `\.`, "-", "(?:", "^", "(?m)", `\z`, ".*", "[^/]+"}
	paths := []string{"/", "/a", "/ab", "/a/b", "/aab/", "/x", "/y", "/12", "/a1/b2", "/ab/ab", "/a.b", "/A/B",
		"/ab\nab", "/aa/x/12", "/b-a", "//", "/a/", "/ba"}
	cache := newRegexCache() // shared, as by the regexes of one router
	for range 3000 {
		var b strings.Builder
		b.WriteString("/")
		for n := rng.Intn(6) + 1; n > 0; n-- {
			b.WriteString(fragments[rng.Intn(len(fragments))])
		}
		src := b.String()
		whole, err := regexp.Compile("^(?:" + src + ")")
		if err != nil {
			continue
		}
		rp, err := compileRegexPath("~"+src, cache)
		if err != nil {
			if _, perr := syntax.Parse(src, syntax.Perl); perr == nil {
				t.Errorf("%q: %v", src, err)
			}
			continue
		}
		for _, p := range paths {
			want := whole.MatchString(p)
			if got := rp.match(p); got != want {
				t.Errorf("%q on %q: match %v, want %v (skip %d)", src, p, got, want, rp.skip)
				continue
			}
			if want {
				if got, want := rp.submatchIndex(p), whole.FindStringSubmatchIndex(p); !slices.Equal(got, want) {
					t.Errorf("%q on %q: submatches %v, want %v (skip %d)", src, p, got, want, rp.skip)
				}
			}
		}
	}
}

func TestRegexPathsShareTheirRest(t *testing.T) {
	cache := newRegexCache()
	a, errA := cache.regexPath(`~/users/(?<id>\d+)$`)
	b, errB := cache.regexPath(`~/orders/(?<id>\d+)$`)
	c, errC := cache.regexPath(`~/orders/(?<id>\d+)$`)
	if errA != nil || errB != nil || errC != nil {
		t.Fatal(errA, errB, errC)
	}
	if a.re != b.re || b != c {
		t.Error("regex paths with the same rest do not share one regex")
	}
	if a.literal != "/users/" || b.literal != "/orders/" || !a.match("/users/7") || a.match("/orders/7") || !b.match("/orders/7") {
		t.Errorf("shared regex paths mix up their text: %+v %+v", a, b)
	}
}
