package dbless

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// post sends POST /config with body and content type and decodes the
// JSON answer (nil when there is no body).
func post(t *testing.T, h http.Handler, query, contentType string, body []byte) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/config"+query, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out map[string]any
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("answer is not JSON: %q", rec.Body.String())
		}
	}
	return rec.Code, out
}

func multipartBody(t *testing.T, field, content string) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile(field, "kong.yml")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte(content))
	mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

func TestPostConfigInputForms(t *testing.T) {
	jsonConfig := `{"_format_version":"3.0","services":[{"name":"a","host":"a.test"}]}`
	wrapped, _ := json.Marshal(map[string]string{"config": sampleConfig})
	mpType, mpBody := multipartBody(t, "config", sampleConfig)
	cases := []struct {
		desc, contentType string
		body              []byte
		services          int
	}{
		{"json object", "application/json", []byte(jsonConfig), 1},
		{"json config field", "application/json", wrapped, 2},
		{"raw yaml", "application/yaml", []byte(sampleConfig), 2},
		{"raw text/yaml", "text/yaml", []byte(sampleConfig), 2},
		{"form config field", "application/x-www-form-urlencoded",
			[]byte(url.Values{"config": {sampleConfig}}.Encode()), 2},
		{"multipart file", mpType, mpBody, 2},
		{"json text without wrapper", "", []byte(jsonConfig), 1},
	}
	for _, c := range cases {
		l, _ := newLoader(t)
		status, out := post(t, l.Handler(), "", c.contentType, c.body)
		if status != http.StatusCreated {
			t.Fatalf("%s: status %d %v", c.desc, status, out)
		}
		services, _ := out["services"].(map[string]any)
		if len(services) != c.services {
			t.Fatalf("%s: answer holds %d services, want %d: %v", c.desc, len(services), c.services, out)
		}
		for id, obj := range services {
			if obj.(map[string]any)["id"] != id {
				t.Fatalf("%s: services not keyed by id: %v", c.desc, out)
			}
		}
	}
}

func TestPostConfigErrors(t *testing.T) {
	l, _ := newLoader(t)
	h := l.Handler()
	status, out := post(t, h, "", "application/yaml", nil)
	if status != 400 || out["message"] != "expected a declarative configuration" {
		t.Fatalf("empty body: %d %v", status, out)
	}

	status, out = post(t, h, "", "application/yaml", []byte("just text"))
	wantMsg := `declarative config is invalid: {error="failed parsing declarative configuration: expected an object"}`
	if status != 400 || out["code"] != 14.0 || out["name"] != "invalid declarative configuration" || out["message"] != wantMsg {
		t.Fatalf("unparseable: %d %v", status, out)
	}

	bad := "_format_version: \"3.0\"\nservices:\n- name: bad\n  port: 70000\n  tags: [t1]\n"
	status, out = post(t, h, "?flatten_errors=1", "application/yaml", []byte(bad))
	if status != 400 || out["code"] != 14.0 {
		t.Fatalf("invalid: %d %v", status, out)
	}
	fields, _ := json.Marshal(out["fields"])
	if string(fields) != `{"services":[{"host":"required field missing","port":"value should be between 0 and 65535"}]}` {
		t.Fatalf("fields: %s", fields)
	}
	if !strings.HasPrefix(out["message"].(string), "declarative config is invalid: {services={{") {
		t.Fatalf("message: %v", out["message"])
	}
	flat, _ := out["flattened_errors"].([]any)
	if len(flat) != 1 {
		t.Fatalf("flattened_errors: %v", out["flattened_errors"])
	}
	entry := flat[0].(map[string]any)
	if entry["entity_type"] != "service" || entry["entity_name"] != "bad" ||
		entry["entity"].(map[string]any)["port"] != 70000.0 || len(entry["errors"].([]any)) != 2 {
		t.Fatalf("flattened entry: %v", entry)
	}
	if l.Hash() != EmptyHash {
		t.Fatalf("a rejected configuration changed the hash")
	}
}

func TestPostConfigCheckHash(t *testing.T) {
	l, _ := newLoader(t)
	h := l.Handler()
	if status, _ := post(t, h, "?check_hash=1", "application/yaml", []byte(sampleConfig)); status != 201 {
		t.Fatalf("first load: %d", status)
	}
	if status, out := post(t, h, "?check_hash=1", "application/yaml", []byte(sampleConfig)); status != 304 || out != nil {
		t.Fatalf("same text with check_hash: %d %v", status, out)
	}
	if status, _ := post(t, h, "", "application/yaml", []byte(sampleConfig)); status != 201 {
		t.Fatalf("same text without check_hash: %d", status)
	}
}

func TestPostConfigDryRun(t *testing.T) {
	l, st := newLoader(t)
	h := l.Handler()
	if status, _ := post(t, h, "", "application/yaml", []byte(sampleConfig)); status != 201 {
		t.Fatal("load")
	}
	next := strings.Replace(sampleConfig, "url: http://orders.test:8080/v1", "url: http://orders.test:9090/v1", 1)
	next = strings.Replace(next, "- name: billing\n  host: billing.test\n  routes:\n  - name: billing-route\n    hosts: [billing.example]\n", "", 1)
	status, out := post(t, h, "?dry_run=1", "application/yaml", []byte(next))
	if status != 200 {
		t.Fatalf("dry run: %d %v", status, out)
	}
	summary, _ := json.Marshal(out["summary"])
	if string(summary) != `{"create":0,"delete":2,"update":1}` {
		t.Fatalf("summary %s: %v", summary, out)
	}
	update := out["changes"].(map[string]any)["services"].(map[string]any)["update"].([]any)[0].(map[string]any)
	if update["name"] != "orders" || update["fields"].([]any)[0] != "port: 8080 -> 9090" {
		t.Fatalf("update entry: %v", update)
	}
	if count(t, st, l, "services") != 2 || l.Hash() != md5Hex(sampleConfig) {
		t.Fatalf("a dry run changed the configuration")
	}
}

func TestGetConfig(t *testing.T) {
	l, _ := newLoader(t)
	h := l.Handler()
	post(t, h, "", "application/yaml", []byte(sampleConfig))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/config", nil))
	var out map[string]string
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &out) != nil {
		t.Fatalf("GET /config: %d %s", rec.Code, rec.Body)
	}
	if !strings.Contains(out["config"], "name: orders") || !strings.Contains(out["config"], "_transform: false") {
		t.Fatalf("config text:\n%s", out["config"])
	}
	if status, _ := post(t, h, "?check_hash=0", "application/json", rec.Body.Bytes()); status != 201 {
		t.Fatalf("posting the export back: %d", status)
	}
}
