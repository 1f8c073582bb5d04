package entity

import (
	"encoding/json"
	"reflect"
	"testing"
)

// obj decodes a JSON literal the way the Admin API does.
func obj(t *testing.T, s string) Object {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	return m
}

// mustProcess runs Process and fails the test on a validation error.
func mustProcess(t *testing.T, s *Schema, in string, op Operation, existing Object) Object {
	t.Helper()
	out, err := s.Process(obj(t, in), op, existing)
	if err != nil {
		t.Fatalf("Process(%s) failed: %s", in, err.Message)
	}
	return out
}

// processErr runs Process and returns its error message ("" on success).
func processErr(t *testing.T, s *Schema, in string, op Operation, existing Object) string {
	t.Helper()
	_, err := s.Process(obj(t, in), op, existing)
	if err == nil {
		return ""
	}
	return err.Message
}

// jsonEqual compares values through their JSON encoding.
func jsonEqual(a, b any) bool {
	ab, _ := json.Marshal(a)
	bb, _ := json.Marshal(b)
	var x, y any
	_ = json.Unmarshal(ab, &x)
	_ = json.Unmarshal(bb, &y)
	return reflect.DeepEqual(x, y)
}

func fieldNames(o Object) map[string]bool {
	out := map[string]bool{}
	for k := range o {
		out[k] = true
	}
	return out
}

func setOf(names ...string) map[string]bool {
	out := map[string]bool{}
	for _, n := range names {
		out[n] = true
	}
	return out
}

const testUUID = "7fbd6a7c-40c2-4f1d-8ffd-2bd9d1e4a5d1"
