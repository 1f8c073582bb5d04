package snapshot

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

// readAll reads text as an object whose members are read by kind:
// "s" str, "l" strs, "n" number, "b" boolean, "h" headers; others are
// skipped. It returns what each member read.
func readAll(text string, kinds map[string]string) (map[string]any, bool, error) {
	got := map[string]any{}
	r := jsonReader{s: text}
	err := r.object(func(key string) (err error) {
		switch kinds[key] {
		case "s":
			got[key], err = r.str()
		case "l":
			got[key], err = r.strs()
		case "n":
			var f float64
			var ok bool
			f, ok, err = r.number()
			got[key] = []any{f, ok}
		case "b":
			var b, ok bool
			b, ok, err = r.boolean()
			got[key] = []any{b, ok}
		case "h":
			got[key], err = r.headers(newLists())
		default:
			err = r.skip()
		}
		return err
	})
	if err == nil {
		err = r.end()
	}
	return got, r.long, err
}

func TestJSONReader(t *testing.T) {
	kinds := map[string]string{"s": "s", "l": "l", "n": "n", "b": "b", "h": "h"}
	tests := []struct {
		name string
		text string
		want map[string]any
		long bool
	}{
		{"plain values", `{"s":"abc","l":["x","y"],"n":-12.5e1,"b":true,"h":{"x-a":["1"]}}`,
			map[string]any{"s": "abc", "l": []string{"x", "y"}, "n": []any{-125.0, true}, "b": []any{true, true},
				"h": map[string][]string{"x-a": {"1"}}}, false},
		{"white space", " {\n\t\"s\" : \"a\" , \"b\":false }\r\n",
			map[string]any{"s": "a", "b": []any{false, true}}, false},
		{"escapes", `{"s":"a\"b\\c\u00e9\n\ud83d\ude00\u003c"}`, map[string]any{"s": "a\"b\\c\u00e9\n\U0001F600<"}, false},
		{"nulls", `{"s":null,"l":null,"n":null,"b":null,"h":null}`,
			map[string]any{"s": "", "l": []string(nil), "n": []any{0.0, false}, "b": []any{false, false},
				"h": map[string][]string(nil)}, false},
		{"other types read as zero", `{"s":1,"l":"x","n":"1","b":"true","h":["a"]}`,
			map[string]any{"s": "", "l": []string(nil), "n": []any{0.0, false}, "b": []any{false, false},
				"h": map[string][]string(nil)}, false},
		{"empty list is not nil", `{"l":[]}`, map[string]any{"l": []string{}}, false},
		{"non-strings dropped from a list", `{"l":[1,"a",null,{"x":[]},"b"]}`, map[string]any{"l": []string{"a", "b"}}, false},
		{"empty headers are nil", `{"h":{}}`, map[string]any{"h": map[string][]string(nil)}, false},
		{"duplicate keys: the last wins", `{"s":"a","s":"b"}`, map[string]any{"s": "b"}, false},
		{"skipped nesting", `{"x":{"a":[1,{"b":"}]"}],"c":"\"{"},"s":"ok"}`, map[string]any{"s": "ok"}, false},
		{"long number read", `{"n":9007199254740993}`, map[string]any{"n": []any{9007199254740992.0, true}}, true},
		{"long number skipped", `{"x":[12345678901234567]}`, map[string]any{}, true},
		{"fifteen digits are exact", `{"n":123456789012345}`, map[string]any{"n": []any{123456789012345.0, true}}, false},
		{"empty object", `{}`, map[string]any{}, false},
		// A null text decodes to a nil entity.Object, an entity with no fields.
		{"null text", `null`, map[string]any{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, long, err := readAll(tt.text, kinds)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v\nwant %#v", got, tt.want)
			}
			if long != tt.long {
				t.Errorf("long = %v, want %v", long, tt.long)
			}
		})
	}
}

func TestJSONReaderErrors(t *testing.T) {
	tests := []string{
		``,
		`[]`,
		`{"s":"abc}`,
		`{"s" "a"}`,
		`{"s":"a",}`,
		`{"s":"a"`,
		`{"l":["a" "b"]}`,
		`{"n":-}`,
		`{"n":1.2.3}`,
		`{"x":tru}`,
		`{"x":nul}`,
		`{"x":}`,
		`{"s":"a\qb"}`,
		"{\"s\":\"a\nb\"}",
		`{"s":"a"} x`,
		`{s:"a"}`,
	}
	kinds := map[string]string{"s": "s", "l": "l", "n": "n"}
	for _, text := range tests {
		if got, _, err := readAll(text, kinds); err == nil {
			t.Errorf("%q: no error (read %v)", text, got)
		}
	}
}

func TestJSONReaderSubstrings(t *testing.T) {
	text := `{"s":"plain"}`
	got, _, err := readAll(text, map[string]string{"s": "s"})
	if err != nil {
		t.Fatal(err)
	}
	s := got["s"].(string)
	// A string without escapes shares the text's memory.
	if i := strings.Index(text, "plain"); i < 0 || unsafe.StringData(s) != unsafe.StringData(text[i:]) {
		t.Error("the string was copied")
	}
}

// TestJSONReaderStringsAsEncodingJSON checks that strings read exactly as
// encoding/json reads them.
func TestJSONReaderStringsAsEncodingJSON(t *testing.T) {
	tests := []string{
		`"plain"`,
		`""`,
		`"a\"b"`,
		`"back\\slash\/"`,
		`"\b\f\n\r\t"`,
		`"\u00e9\u4e16"`,
		`"\ud83d\ude00"`,
		`"\ud83d x"`,
		`"\ude00"`,
		`"caf\u00e9 café"`,
		"\"caf\xc3\xa9\"",
		"\"bad \xff utf8\"",
		"\"bad \xc3 cut\"",
		"\"esc \\n and bad \xfe\"",
		`"~/res3/(?<id>\\d+)$"`,
		`"\u003cscript\u003e \u0026"`,
		`"\u0041\u00E9\uffff\u0000"`,
		`"x\u12"`,
	}
	for _, text := range tests {
		var want string
		wantErr := json.Unmarshal([]byte(text), &want)
		r := jsonReader{s: text}
		got, err := r.str()
		if wantErr != nil {
			if err == nil {
				t.Errorf("%q: read %q, want an error", text, got)
			}
			continue
		}
		if err != nil || got != want || r.pos != len(text) {
			t.Errorf("%q: read %q (%v, at %d), want %q", text, got, err, r.pos, want)
		}
	}
}
