package admin

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestServiceLifecycle(t *testing.T) {
	api := newTestAPI(t)
	svc := mustCall(t, api, "POST", "/services", ctJSON, `{"name":"svc","url":"http://httpbin.test/anything"}`, 201)
	id := str(svc, "id")
	if svc["port"] != float64(80) || svc["host"] != "httpbin.test" || svc["path"] != "/anything" || svc["retries"] != float64(5) {
		t.Fatalf("defaults not applied: %v", svc)
	}
	if _, ok := svc["url"]; ok {
		t.Errorf("url shorthand echoed: %v", svc)
	}

	for _, key := range []string{id, "svc"} {
		got := mustCall(t, api, "GET", "/services/"+key, "", "", 200)
		if got["id"] != id {
			t.Errorf("GET /services/%s: id %v", key, got["id"])
		}
	}

	patched := mustCall(t, api, "PATCH", "/services/svc", ctJSON, `{"port":8080}`, 200)
	if patched["port"] != float64(8080) || patched["host"] != "httpbin.test" || patched["id"] != id {
		t.Errorf("PATCH did not merge: %v", patched)
	}

	// PUT by name replaces the row, keeps its id and resets omitted fields.
	put := mustCall(t, api, "PUT", "/services/svc", ctJSON, `{"name":"ignored","host":"other.test","id":"bd380f99-659d-415e-b0e7-72ea05df3218"}`, 200)
	if put["id"] != id || put["name"] != "svc" || put["port"] != float64(80) || put["path"] != nil {
		t.Errorf("PUT by name: %v", put)
	}
	// decK resends created_at.
	put = mustCall(t, api, "PUT", "/services/"+id, ctJSON, `{"name":"svc","host":"h.test","created_at":1700000000}`, 200)
	if put["created_at"] != float64(1700000000) {
		t.Errorf("created_at not kept: %v", put["created_at"])
	}

	mustCall(t, api, "DELETE", "/services/svc", "", "", 204)
	mustCall(t, api, "DELETE", "/services/svc", "", "", 204)
	mustCall(t, api, "DELETE", "/services/"+id, "", "", 204)
	r := call(t, api, "GET", "/services/"+id, "", "")
	if r.status != 404 || r.raw != `{"message":"Not found"}` {
		t.Errorf("GET deleted: %d %s", r.status, r.raw)
	}
}

func TestPutCreates(t *testing.T) {
	api := newTestAPI(t)
	const id = "6f1b4c1e-3a43-4c57-9d24-1f4f64e8b9a1"
	got := mustCall(t, api, "PUT", "/services/"+id, ctJSON, `{"host":"a.test","id":"ffffffff-3a43-4c57-9d24-1f4f64e8b9a1"}`, 200)
	if got["id"] != id {
		t.Errorf("PUT by id created %v", got["id"])
	}
	got = mustCall(t, api, "PUT", "/services/byname", ctJSON, `{"host":"a.test"}`, 200)
	if got["name"] != "byname" || str(got, "id") == "" || got["id"] == id {
		t.Errorf("PUT by name created %v", got)
	}
	mustCall(t, api, "GET", "/services/byname", "", "", 200)
}

func TestErrorsOfWrites(t *testing.T) {
	api := newTestAPI(t)
	mustCall(t, api, "POST", "/services", ctJSON, `{"name":"foo","host":"a.test"}`, 201)
	tests := []struct {
		name, method, path, ctype, body string
		status                          int
		want                            map[string]any
	}{
		{"unique violation", "POST", "/services", ctJSON, `{"name":"foo","host":"b.test"}`, 409, map[string]any{
			"code": 5.0, "name": "unique constraint violation",
			"message": `UNIQUE violation detected on '{name="foo"}'`, "fields": map[string]any{"name": "foo"}}},
		{"json is not coerced", "POST", "/services", ctJSON, `{"host":"a.test","port":"80"}`, 400, map[string]any{
			"code": 2.0, "name": "schema violation", "message": "schema violation (port: expected an integer)",
			"fields": map[string]any{"port": "expected an integer"}}},
		{"patch missing by id", "PATCH", "/services/6f1b4c1e-3a43-4c57-9d24-1f4f64e8b9a1", ctJSON, `{}`, 404, map[string]any{
			"code": 6.0, "name": "not found",
			"message": `could not find the entity with primary key '{id="6f1b4c1e-3a43-4c57-9d24-1f4f64e8b9a1"}'`,
			"fields":  map[string]any{"id": "6f1b4c1e-3a43-4c57-9d24-1f4f64e8b9a1"}}},
		{"patch missing by name", "PATCH", "/services/nope", ctJSON, `{}`, 404, map[string]any{
			"code": 6.0, "name": "not found", "message": `could not find the entity with '{name="nope"}'`,
			"fields": map[string]any{"name": "nope"}}},
		{"invalid endpoint key", "GET", "/services/a%20b", "", "", 400, map[string]any{
			"code": 10.0, "name": "invalid unique name",
			"message": "invalid value 'a b': the only accepted ascii characters are alphanumerics or ., -, _, and ~",
			"fields":  map[string]any{"name": "invalid value 'a b': the only accepted ascii characters are alphanumerics or ., -, _, and ~"}}},
		{"non-uuid key without endpoint key", "GET", "/ca_certificates/abc", "", "", 400, map[string]any{
			"code": 1.0, "name": "invalid primary key", "message": `invalid primary key: '{id="expected a valid UUID"}'`,
			"fields": map[string]any{"id": "expected a valid UUID"}}},
		{"primary key violation", "POST", "/consumers", ctJSON, `{"username":"x","id":"11111111-1111-4111-8111-111111111111"}`, 201, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, api, tc.method, tc.path, tc.ctype, tc.body)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.raw)
			}
			if tc.want != nil && !reflect.DeepEqual(r.json(), tc.want) {
				t.Fatalf("body %s\nwant %v", r.raw, tc.want)
			}
		})
	}
	r := call(t, api, "POST", "/consumers", ctJSON, `{"username":"y","id":"11111111-1111-4111-8111-111111111111"}`)
	if r.status != 400 || r.json()["code"] != 3.0 {
		t.Errorf("duplicate id: %d %s", r.status, r.raw)
	}
}

func TestFormAndMultipartDecoding(t *testing.T) {
	api := newTestAPI(t)
	svc := mustCall(t, api, "POST", "/services", ctForm, "name=svc&url=http://up.test:8080/p&retries=3", 201)
	if svc["port"] != 8080.0 || svc["retries"] != 3.0 || svc["path"] != "/p" {
		t.Fatalf("form service: %v", svc)
	}
	sid := str(svc, "id")
	tests := []struct {
		name, path, ctype, body string
		field                   string
		want                    any
	}{
		{"brackets", "/routes", ctForm, "paths[]=/a&paths[]=/b&service.id=" + sid, "paths", []any{"/a", "/b"}},
		{"repeated keys", "/routes", ctForm, "paths=/c&paths=/d", "paths", []any{"/c", "/d"}},
		{"indexes", "/routes", ctForm, "paths[2]=/f&paths[1]=/e", "paths", []any{"/e", "/f"}},
		{"single value wraps", "/routes", ctForm, "paths=/g", "paths", []any{"/g"}},
		{"escaped brackets", "/routes", ctForm, "paths%5B%5D=/h", "paths", []any{"/h"}},
		{"map of arrays", "/routes", ctForm, "headers.x-foo=bar", "headers", map[string]any{"x-foo": []any{"bar"}}},
		{"service by id", "/routes", ctForm, "paths=/i&service.id=" + sid, "service", map[string]any{"id": sid}},
		{"service by name", "/routes", ctForm, "paths=/j&service.name=svc", "service", map[string]any{"id": sid}},
		{"booleans and numbers", "/routes", ctForm, "paths=/k&strip_path=false&regex_priority=7", "regex_priority", 7.0},
		{"empty clears", "/routes", ctForm, "paths=/l&name=", "name", nil},
		{"multipart", "/routes", "multipart/form-data; boundary=XX",
			"--XX\r\nContent-Disposition: form-data; name=\"paths[]\"\r\n\r\n/m\r\n" +
				"--XX\r\nContent-Disposition: form-data; name=\"strip_path\"\r\n\r\nfalse\r\n" +
				"--XX\r\nContent-Disposition: form-data; name=\"hosts\"\r\nContent-Type: application/json\r\n\r\n[\"a.test\",\"b.test\"]\r\n--XX--\r\n",
			"hosts", []any{"a.test", "b.test"}},
		{"plugin config", "/plugins", ctForm, "name=rate-limiting&config.minute=20", "config", map[string]any{"minute": 20.0, "policy": "local"}},
		{"plugin config brackets", "/plugins", ctForm, "name=key-auth&config[key_names]=k&service.name=svc", "config", map[string]any{"key_names": []any{"k"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := mustCall(t, api, "POST", tc.path, tc.ctype, tc.body, 201)
			if !reflect.DeepEqual(got[tc.field], tc.want) {
				t.Fatalf("%s = %#v, want %#v", tc.field, got[tc.field], tc.want)
			}
		})
	}

	t.Run("plugin patch coerces with the stored name", func(t *testing.T) {
		r := call(t, api, "GET", "/plugins", "", "")
		var id string
		for _, p := range r.json()["data"].([]any) {
			if p.(map[string]any)["name"] == "rate-limiting" {
				id = p.(map[string]any)["id"].(string)
			}
		}
		got := mustCall(t, api, "PATCH", "/plugins/"+id, ctForm, "config.minute=30", 200)
		if !reflect.DeepEqual(got["config"], map[string]any{"minute": 30.0, "policy": "local"}) {
			t.Fatalf("config = %v", got["config"])
		}
	})
}

func TestDecodeFormKeys(t *testing.T) {
	tests := []struct {
		query string
		want  map[string]any
	}{
		{"a.b.c=1", map[string]any{"a": map[string]any{"b": map[string]any{"c": "1"}}}},
		{"sources[1].ip=1.2.3.4&sources[1].port=80&sources[2].ip=5.6.7.8",
			map[string]any{"sources": []any{map[string]any{"ip": "1.2.3.4", "port": "80"}, map[string]any{"ip": "5.6.7.8"}}}},
		{"config[foo]=bar&config[n][1]=x", map[string]any{"config": map[string]any{"foo": "bar", "n": []any{"x"}}}},
		{".a=1&b.=2", map[string]any{".a": "1", "b.": "2"}},
		{"a[=1", map[string]any{"a[": "1"}},
	}
	for _, tc := range tests {
		values, err := url.ParseQuery(tc.query)
		if err != nil {
			t.Fatal(err)
		}
		if got := decodeForm(values, nil); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %#v, want %#v", tc.query, got, tc.want)
		}
	}
}

func TestForeignKeys(t *testing.T) {
	api := newTestAPI(t)
	svc := mustCall(t, api, "POST", "/services", ctJSON, `{"name":"svc","host":"a.test"}`, 201)
	sid := str(svc, "id")
	tests := []struct {
		name, body string
		status     int
		check      func(t *testing.T, m map[string]any)
	}{
		{"by name", `{"paths":["/a"],"service":{"name":"svc"}}`, 201, func(t *testing.T, m map[string]any) {
			if str(m, "service", "id") != sid {
				t.Errorf("service %v", m["service"])
			}
		}},
		{"id with extra keys", `{"paths":["/b"],"service":{"id":"` + sid + `","name":"whatever"}}`, 201, func(t *testing.T, m map[string]any) {
			if !reflect.DeepEqual(m["service"], map[string]any{"id": sid}) {
				t.Errorf("service %v", m["service"])
			}
		}},
		{"unresolved name", `{"paths":["/c"],"service":{"name":"missing"}}`, 400, func(t *testing.T, m map[string]any) {
			want := map[string]any{"code": 13.0, "name": "foreign keys unresolved",
				"message": `foreign key unresolved (service.name: the foreign key cannot be resolved with '{name="missing"}' for an existing 'services' entity)`,
				"fields": map[string]any{"service": map[string]any{
					"name": `the foreign key cannot be resolved with '{name="missing"}' for an existing 'services' entity`}}}
			if !reflect.DeepEqual(m, want) {
				t.Errorf("got %v", m)
			}
		}},
		{"missing id", `{"paths":["/d"],"service":{"id":"6f1b4c1e-3a43-4c57-9d24-1f4f64e8b9a1"}}`, 400, func(t *testing.T, m map[string]any) {
			if m["code"] != 4.0 || !strings.Contains(str(m, "message"), "does not reference an existing 'services' entity") {
				t.Errorf("got %v", m)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.check(t, mustCall(t, api, "POST", "/routes", ctJSON, tc.body, tc.status))
		})
	}

	t.Run("delete referenced service", func(t *testing.T) {
		got := mustCall(t, api, "DELETE", "/services/svc", "", "", 400)
		want := map[string]any{"code": 4.0, "name": "foreign key violation",
			"message": "an existing 'routes' entity references this 'services' entity",
			"fields":  map[string]any{"@referenced_by": "routes"}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %v", got)
		}
	})
}
