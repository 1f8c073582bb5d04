package admin

import (
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// walk follows offset tokens from path and returns the ids seen, checking
// the envelope of every page.
func walk(t *testing.T, api *API, path string, size int, wantNext func(offset string) string) []string {
	t.Helper()
	var ids []string
	next := path
	for i := 0; i < 100; i++ {
		page := mustCall(t, api, "GET", next, "", "", 200)
		data := page["data"].([]any)
		if len(data) > size {
			t.Fatalf("page of %d rows, size %d", len(data), size)
		}
		for _, d := range data {
			ids = append(ids, d.(map[string]any)["id"].(string))
		}
		offset, has := page["offset"].(string)
		if !has {
			if _, present := page["offset"]; present {
				t.Fatalf("last page carries offset: %v", page)
			}
			if page["next"] != nil {
				t.Fatalf("last page next = %v", page["next"])
			}
			return ids
		}
		if got := page["next"]; got != wantNext(offset) {
			t.Fatalf("next = %v, want %s", got, wantNext(offset))
		}
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		next = path + sep + "offset=" + url.QueryEscape(offset)
	}
	t.Fatal("pagination does not end")
	return nil
}

func TestPagination(t *testing.T) {
	api := newTestAPI(t)
	var want []string
	for i := range 5 {
		tags := `["all"]`
		if i%2 == 0 {
			tags = `["all","even"]`
		}
		svc := mustCall(t, api, "POST", "/services", ctJSON, fmt.Sprintf(`{"name":"s%d","host":"h.test","tags":%s}`, i, tags), 201)
		want = append(want, svc["id"].(string))
	}
	sort.Strings(want)

	got := walk(t, api, "/services?size=1", 1, func(off string) string {
		return "/services?offset=" + escapeComponent(off) + "&size=1"
	})
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("walked %v, want %v", got, want)
	}
	got = walk(t, api, "/services?size=2&tags=all", 2, func(off string) string {
		return "/services?offset=" + escapeComponent(off) + "&tags=all&size=2"
	})
	if len(got) != 5 {
		t.Fatalf("tag walk saw %d", len(got))
	}
	got = walk(t, api, "/services", 100, func(string) string { return "" })
	if len(got) != 5 {
		t.Fatalf("default page saw %d", len(got))
	}
	r := call(t, api, "GET", "/services?tags=nothing", "", "")
	if r.raw != `{"data":[],"next":null}` {
		t.Errorf("empty page: %s", r.raw)
	}
}

func TestTagFilters(t *testing.T) {
	api := newTestAPI(t)
	for _, body := range []string{
		`{"username":"ab","tags":["a","b"]}`,
		`{"username":"a","tags":["a"]}`,
		`{"username":"c","tags":["c"]}`,
		`{"username":"none"}`,
	} {
		mustCall(t, api, "POST", "/consumers", ctJSON, body, 201)
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"tags=a", []string{"a", "ab"}},
		{"tags=a,b", []string{"ab"}},
		{"tags=" + url.QueryEscape("a/c"), []string{"a", "ab", "c"}},
		{"tags=b/c", []string{"ab", "c"}},
		{"tags=z", nil},
	}
	for _, tc := range tests {
		page := mustCall(t, api, "GET", "/consumers?"+tc.query, "", "", 200)
		var names []string
		for _, d := range page["data"].([]any) {
			names = append(names, d.(map[string]any)["username"].(string))
		}
		sort.Strings(names)
		if !reflect.DeepEqual(names, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.query, names, tc.want)
		}
	}
}

func TestListArgumentErrors(t *testing.T) {
	api := newTestAPI(t)
	sizeErr := func(msg string) map[string]any {
		return map[string]any{"code": 9.0, "name": "invalid size", "message": msg}
	}
	tagErr := func(reason string) map[string]any {
		return map[string]any{"code": 11.0, "name": "invalid options",
			"message": "invalid option (tags: " + reason + ")", "options": map[string]any{"tags": reason}}
	}
	tests := []struct {
		query string
		want  map[string]any
	}{
		{"size=abc", sizeErr("size must be a number")},
		{"size=", sizeErr("size must be a number")},
		{"size=0", sizeErr("size must be an integer between 1 and 1000")},
		{"size=1001", sizeErr("size must be an integer between 1 and 1000")},
		{"size=1.5", sizeErr("size must be an integer between 1 and 1000")},
		{"tags=", tagErr("cannot be null")},
		{"tags=" + url.QueryEscape("a,b/c"), tagErr("invalid filter syntax")},
		{"tags=a,b,c,d,e,f", tagErr("cannot query more than 5 tags")},
		{"tags=a%01", tagErr("invalid filter syntax")},
		{"tags=%FF", tagErr("invalid filter syntax")},
		{"offset=!!!", map[string]any{"code": 7.0, "name": "invalid offset", "message": "'!!!' is not a valid offset: bad base64 encoding"}},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			got := mustCall(t, api, "GET", "/services?"+tc.query, "", "", 400)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
	mustCall(t, api, "GET", "/services?size=1000", "", "", 200)
}

func TestConsumerSearch(t *testing.T) {
	api := newTestAPI(t)
	mustCall(t, api, "POST", "/consumers", ctJSON, `{"custom_id":"c1"}`, 201)
	if got := mustCall(t, api, "GET", "/consumers?custom_id=c1", "", "", 200); len(got["data"].([]any)) != 1 {
		t.Errorf("search: %v", got)
	}
	if r := call(t, api, "GET", "/consumers?custom_id=c2", "", ""); r.raw != `{"data":[],"next":null}` {
		t.Errorf("search miss: %s", r.raw)
	}
	if r := call(t, api, "GET", "/consumers?custom_id=", "", ""); r.status != 400 || r.raw != `{"message":"custom_id must be an unempty string"}` {
		t.Errorf("empty search: %d %s", r.status, r.raw)
	}
}

func TestTagsEndpoint(t *testing.T) {
	api := newTestAPI(t)
	svc := mustCall(t, api, "POST", "/services", ctJSON, `{"host":"h.test","tags":["t1","t2"]}`, 201)
	con := mustCall(t, api, "POST", "/consumers", ctJSON, `{"username":"u","tags":["t1"]}`, 201)

	page := mustCall(t, api, "GET", "/tags/t1", "", "", 200)
	want := []any{
		map[string]any{"tag": "t1", "entity_name": "consumers", "entity_id": con["id"]},
		map[string]any{"tag": "t1", "entity_name": "services", "entity_id": svc["id"]},
	}
	if !reflect.DeepEqual(page["data"], want) || page["next"] != nil {
		t.Fatalf("/tags/t1: %v", page)
	}

	var rows int
	next := "/tags?size=1"
	for next != "" {
		p := mustCall(t, api, "GET", next, "", "", 200)
		rows += len(p["data"].([]any))
		next = ""
		if off, ok := p["offset"].(string); ok {
			if p["next"] != "/tags?offset="+escapeComponent(off)+"&size=1" {
				t.Fatalf("next = %v", p["next"])
			}
			next = "/tags?size=1&offset=" + url.QueryEscape(off)
		}
	}
	if rows != 3 {
		t.Errorf("walked %d tag rows, want 3", rows)
	}
	if r := call(t, api, "GET", "/tags/a%01", "", ""); r.status != 400 || r.json()["code"] != 10.0 {
		t.Errorf("invalid tag: %d %s", r.status, r.raw)
	}
}
