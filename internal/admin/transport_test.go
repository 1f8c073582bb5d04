package admin

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

func TestTransportHeaders(t *testing.T) {
	api := newTestAPI(t)
	for _, path := range []string{"/", "/services", "/nope"} {
		r := call(t, api, "GET", path, "", "")
		if got := r.header.Get("Server"); got != "kong/"+testVersion {
			t.Errorf("GET %s: Server %q", path, got)
		}
		if got := r.header.Get("Content-Type"); got != contentTypeJSON {
			t.Errorf("GET %s: Content-Type %q", path, got)
		}
		if _, err := strconv.Atoi(r.header.Get("X-Kong-Admin-Latency")); err != nil {
			t.Errorf("GET %s: X-Kong-Admin-Latency %q", path, r.header.Get("X-Kong-Admin-Latency"))
		}
		if r.header.Get("Access-Control-Allow-Origin") != "*" || r.header.Get("Access-Control-Allow-Credentials") != "true" {
			t.Errorf("GET %s: CORS headers %v", path, r.header)
		}
	}

	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Origin", "http://ui.test")
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, req)
	if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "http://ui.test" {
		t.Errorf("origin echo: %q", got)
	}
}

func TestMethodsAndPaths(t *testing.T) {
	api := newTestAPI(t)
	tests := []struct {
		method, path string
		status       int
		body         string
		allow        string
	}{
		{"OPTIONS", "/routes", 204, "", "GET, HEAD, OPTIONS, POST"},
		{"OPTIONS", "/routes/x", 204, "", "DELETE, GET, HEAD, OPTIONS, PATCH, PUT"},
		{"OPTIONS", "/", 204, "", "GET, HEAD, OPTIONS"},
		{"OPTIONS", "/nope", 404, `{"message":"Not found"}`, ""},
		{"PUT", "/routes", 405, `{"message":"Method not allowed"}`, ""},
		{"DELETE", "/services", 405, `{"message":"Method not allowed"}`, ""},
		{"POST", "/", 405, `{"message":"Method not allowed"}`, ""},
		{"GET", "/does-not-exist", 404, `{"message":"Not found"}`, ""},
		{"GET", "/targets", 404, `{"message":"Not found"}`, ""},
		{"GET", "/targets/1.2.3.4:80", 404, `{"message":"Not found"}`, ""},
		{"GET", "/targets/x/upstream", 404, `{"message":"Not found"}`, ""},
		{"GET", "/snis/a.test/certificate", 404, `{"message":"Not found"}`, ""},
		{"GET", "/vaults", 404, `{"message":"Not found"}`, ""},
		{"GET", "/keys", 404, `{"message":"Not found"}`, ""},
		{"GET", "/key-sets", 404, `{"message":"Not found"}`, ""},
		{"GET", "/partials", 404, `{"message":"Not found"}`, ""},
		{"GET", "/consumer_groups", 404, `{"message":"Not found"}`, ""},
		{"GET", "/mtls-auths", 404, `{"message":"Not found"}`, ""},
		{"GET", "/ai-models", 404, `{"message":"Not found"}`, ""},
		{"GET", "/degraphql_routes", 404, `{"message":"Not found"}`, ""},
		{"GET", "/filter-chains", 400, `{"message":"this endpoint is only available when wasm is enabled"}`, ""},
		{"GET", "/key-auths", 200, `{"data":[],"next":null}`, ""},
		{"GET", "/basic-auths", 200, `{"data":[],"next":null}`, ""},
		{"GET", "/jwts", 200, `{"data":[],"next":null}`, ""},
		{"GET", "/acls", 200, `{"data":[],"next":null}`, ""},
		{"GET", "/hmac-auths", 200, `{"data":[],"next":null}`, ""},
		{"GET", "/oauth2", 200, `{"data":[],"next":null}`, ""},
		{"GET", "/config", 400, `{"message":"this endpoint is only available when Kong is configured to not use a database"}`, ""},
		{"POST", "/config", 400, `{"message":"this endpoint is only available when Kong is configured to not use a database"}`, ""},
		{"GET", "/services/", 200, `{"data":[],"next":null}`, ""},
		{"GET", "/services", 200, `{"data":[],"next":null}`, ""},
		{"HEAD", "/services", 200, "", ""},
		{"HEAD", "/nope", 404, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := call(t, api, tc.method, tc.path, "", "")
			if r.status != tc.status || r.raw != tc.body {
				t.Fatalf("got %d %q, want %d %q", r.status, r.raw, tc.status, tc.body)
			}
			if tc.allow != "" {
				if r.header.Get("Allow") != tc.allow || r.header.Get("Access-Control-Allow-Methods") != tc.allow {
					t.Errorf("Allow %q, Access-Control-Allow-Methods %q, want %q", r.header.Get("Allow"),
						r.header.Get("Access-Control-Allow-Methods"), tc.allow)
				}
				if r.header.Get("Access-Control-Allow-Headers") != "Content-Type" {
					t.Errorf("Access-Control-Allow-Headers %q", r.header.Get("Access-Control-Allow-Headers"))
				}
			}
		})
	}
}

func TestOptionsEchoesRequestHeaders(t *testing.T) {
	api := newTestAPI(t)
	req := httptest.NewRequest("OPTIONS", "/services", nil)
	req.Header.Set("Access-Control-Request-Headers", "X-Custom, Content-Type")
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent || rec.Header().Get("Access-Control-Allow-Headers") != "X-Custom, Content-Type" {
		t.Fatalf("got %d %v", rec.Code, rec.Header())
	}
}

func TestBodyRules(t *testing.T) {
	api := newTestAPI(t, func(o *Options) { o.MaxBodyBytes = 8192 })
	manyArgs := strings.Repeat("a=1&", 1001)
	tests := []struct {
		name, ctype, body string
		status            int
		want              string
	}{
		{"body without content type", "", `{"name":"x"}`, 415, ""},
		{"unsupported content type", "text/plain", `name=x`, 415, ""},
		{"bad json", ctJSON, `{"name":`, 400, `{"message":"Cannot parse JSON body"}`},
		{"empty json", ctJSON, ``, 400, `{"message":"Cannot parse JSON body"}`},
		{"json array", ctJSON, `[1]`, 400, `{"message":"Cannot parse JSON body"}`},
		{"json trailing data", ctJSON, `{"host":"a.test"} x`, 400, `{"message":"Cannot parse JSON body"}`},
		{"too many form args", ctForm, manyArgs, 400, `{"message":"Too many arguments"}`},
		{"too large", ctJSON, `{"host":"` + strings.Repeat("a", 9000) + `"}`, 413, `{"message":"Payload too large"}`},
		{"json with charset", "Application/JSON; charset=utf-8", `{"host":"a.test"}`, 201, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, api, "POST", "/services", tc.ctype, tc.body)
			if r.status != tc.status || (tc.want != "" || tc.status == 415) && r.raw != tc.want {
				t.Fatalf("got %d %q, want %d %q", r.status, r.raw, tc.status, tc.want)
			}
		})
	}

	t.Run("two content types", func(t *testing.T) {
		req := httptest.NewRequest("POST", "/services", strings.NewReader(`{}`))
		req.Header.Add("Content-Type", ctJSON)
		req.Header.Add("Content-Type", ctJSON)
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		if rec.Code != 400 || rec.Body.String() != "Multiple Content-Type headers not allowed" {
			t.Fatalf("got %d %q", rec.Code, rec.Body.String())
		}
	})
	t.Run("too many query args", func(t *testing.T) {
		r := call(t, api, "GET", "/services?"+manyArgs, "", "")
		if r.status != 400 || r.raw != `{"message":"Too many arguments"}` {
			t.Fatalf("got %d %q", r.status, r.raw)
		}
	})
	t.Run("empty body without content type", func(t *testing.T) {
		r := call(t, api, "POST", "/consumers", "", "")
		if r.status != 400 || r.json()["code"] != float64(2) {
			t.Fatalf("got %d %s, want a schema violation", r.status, r.raw)
		}
	})
	t.Run("GET ignores bodies", func(t *testing.T) {
		r := call(t, api, "GET", "/services", ctJSON, "{not json")
		if r.status != 200 {
			t.Fatalf("got %d %s", r.status, r.raw)
		}
	})
}
