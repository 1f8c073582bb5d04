package entity

import (
	"regexp"
	"testing"
)

func TestKeyAuthCredentialKey(t *testing.T) {
	consumer := map[string]any{"id": "6a9f2b7e-6d64-4e1c-9a3b-2f5e8d7c1a00"}
	generated := regexp.MustCompile(`^[A-Za-z0-9]{32}$`)
	tests := []struct {
		name    string
		in      Object
		op      Operation
		wantKey func(string) bool
	}{
		{"absent key generated", Object{"consumer": consumer}, OpInsert, generated.MatchString},
		{"null key generated", Object{"consumer": consumer, "key": nil}, OpUpsert, generated.MatchString},
		{"given key kept", Object{"consumer": consumer, "key": "mine"}, OpInsert, func(k string) bool { return k == "mine" }},
	}
	for _, tc := range tests {
		obj, err := KeyAuthCredentials.Process(tc.in, tc.op, nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if k, _ := obj["key"].(string); !tc.wantKey(k) {
			t.Errorf("%s: key %q", tc.name, k)
		}
		if _, has := obj["updated_at"]; has {
			t.Errorf("%s: updated_at present", tc.name)
		}
	}
	if RandomKey() == RandomKey() {
		t.Error("two generated keys are equal")
	}
	obj, err := KeyAuthCredentials.Process(Object{"consumer": consumer, "ttl": float64(10)}, OpInsert, nil)
	if err != nil || obj["ttl"] != float64(10) {
		t.Errorf("ttl: %v %v", obj, err)
	}
	if _, err := KeyAuthCredentials.Process(Object{"key": "k"}, OpInsert, nil); err == nil {
		t.Error("credential without consumer accepted")
	}
}

func TestBasicAuthPasswordHashing(t *testing.T) {
	const cid = "6a9f2b7e-6d64-4e1c-9a3b-2f5e8d7c1a00"
	consumer := map[string]any{"id": cid}
	stored, err := BasicAuthCredentials.Process(Object{"consumer": consumer, "username": "u", "password": "pw"}, OpInsert, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := HashBasicAuthPassword("pw", cid)
	if stored["password"] != want || len(want) != 40 {
		t.Fatalf("password stored as %v, want %s", stored["password"], want)
	}
	kept, err := BasicAuthCredentials.Process(Object{"tags": []any{"t"}}, OpUpdate, stored)
	if err != nil || kept["password"] != want {
		t.Errorf("update without password: %v %v", kept["password"], err)
	}
	changed, err := BasicAuthCredentials.Process(Object{"password": "new"}, OpUpdate, stored)
	if err != nil || changed["password"] != HashBasicAuthPassword("new", cid) {
		t.Errorf("update with password: %v %v", changed["password"], err)
	}
}
