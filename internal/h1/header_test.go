package h1

import (
	"strings"
	"testing"
)

func headerOf(pairs ...string) *Header {
	var h Header
	for i := 0; i < len(pairs); i += 2 {
		h.AppendField([]byte(pairs[i]), []byte(pairs[i+1]))
	}
	return &h
}

func headerString(h *Header) string {
	var b strings.Builder
	h.Range(func(name, value []byte) bool {
		b.WriteString(string(name) + "=" + string(value) + ";")
		return true
	})
	return b.String()
}

func TestCopyEndToEndDropsHopByHop(t *testing.T) {
	cases := []struct {
		name string
		src  *Header
		want string
	}{
		{"standard hop-by-hop", headerOf("Keep-Alive", "1", "Proxy-Connection", "x", "TE", "trailers",
			"Trailer", "X", "Transfer-Encoding", "chunked", "Upgrade", "h2c", "X-Keep", "1"), "X-Keep=1;"},
		{"Connection-listed names", headerOf("Connection", "keep-alive, X-Consumer-Username, X-Api-Key",
			"X-Api-Key", "k1", "x-consumer-username", "alice", "Accept", "*/*"), "Accept=*/*;"},
		{"second Connection line", headerOf("Connection", "", "Connection", "X-Forwarded-For",
			"X-Forwarded-For", "1.2.3.4", "Authorization", "a"), "Authorization=a;"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var dst Header
			CopyEndToEnd(&dst, tc.src, nil)
			if got := headerString(&dst); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
	var dst Header
	CopyEndToEnd(&dst, headerOf("Host", "a", "X", "1"), func(name []byte) bool { return equalFold(name, "host") })
	if got := headerString(&dst); got != "X=1;" {
		t.Fatalf("skip not applied: %q", got)
	}
}

func TestHeaderEditing(t *testing.T) {
	h := headerOf("Accept", "a", "X-Multi", "1", "x-multi", "2", "Via", "v")
	if err := h.Set("X-MULTI", "3"); err != nil {
		t.Fatal(err)
	}
	if got := headerString(h); got != "Accept=a;X-Multi=3;Via=v;" {
		t.Fatalf("Set: %q", got)
	}
	_ = h.Add("X-New", "n")
	h.Del("accept")
	if got := headerString(h); got != "X-Multi=3;Via=v;X-New=n;" {
		t.Fatalf("Add/Del: %q", got)
	}
	if h.Get("x-new") != "n" || !h.Has("VIA") || h.Count("x-multi") != 1 || h.Peek("missing") != nil {
		t.Fatal("lookup is not case-insensitive")
	}
	for _, bad := range [][2]string{{"X", "a\r\nInjected: 1"}, {"X", "a\nb"}, {"X", "a\x00"}, {"Bad Name", "v"}, {"", "v"}} {
		if err := h.Add(bad[0], bad[1]); err == nil {
			t.Fatalf("Add(%q, %q) accepted", bad[0], bad[1])
		}
		if err := h.Set(bad[0], bad[1]); err == nil {
			t.Fatalf("Set(%q, %q) accepted", bad[0], bad[1])
		}
	}
	if !h.HasToken("Via", "v") || headerOf("Connection", "keep-alive, Upgrade").HasToken("Connection", "upgrade") == false {
		t.Fatal("HasToken")
	}
}

func TestSplitHostPort(t *testing.T) {
	cases := []struct {
		in   string
		host string
		port int
	}{
		{"a.example", "a.example", 0},
		{"a.example:8000", "a.example", 8000},
		{"a.example:", "a.example", 0},
		{"[::1]:443", "[::1]", 443},
		{"[::1]", "[::1]", 0},
		{"::1", "::1", 0},
		{"a:99999", "a", 0},
	}
	for _, tc := range cases {
		host, port := SplitHostPort([]byte(tc.in))
		if string(host) != tc.host || port != tc.port {
			t.Errorf("%q: got %q %d", tc.in, host, port)
		}
	}
}

// TestPlainFieldValue checks the word-at-a-time screen against the byte
// rule: every byte value, at every position of values of several
// lengths.
func TestPlainFieldValue(t *testing.T) {
	for _, n := range []int{1, 7, 8, 9, 16, 23} {
		for pos := range n {
			for c := range 256 {
				v := []byte(strings.Repeat("a", n))
				v[pos] = byte(c)
				want := c >= 0x20 && c != 0x7f
				if got := plainFieldValue(v); got != want {
					t.Fatalf("len %d, byte %#x at %d: got %v, want %v", n, c, pos, got, want)
				}
			}
		}
	}
}
