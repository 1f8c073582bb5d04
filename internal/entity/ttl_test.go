package entity

import (
	"testing"
	"time"
)

func TestCredentialTTL(t *testing.T) {
	consumer := map[string]any{"id": testUUID}
	t0 := time.Unix(1_700_000_000, 0)
	created, err := KeyAuthCredentials.process(Object{"consumer": consumer, "key": "k", "ttl": float64(100)}, OpInsert, nil, t0)
	if err != nil {
		t.Fatal(err.Message)
	}
	tests := []struct {
		name    string
		patch   Object // nil: no update, present the created credential
		at      time.Duration
		present time.Duration
		want    any // ttl shown; "hidden" when expired
	}{
		{"fresh", nil, 0, 0, 100.0},
		{"counts down", nil, 0, 40 * time.Second, 60.0},
		{"last second", nil, 0, 100 * time.Second, 0.0},
		{"expired", nil, 0, 101 * time.Second, "hidden"},
		{"update without ttl keeps the expiry", Object{"tags": []any{"x"}}, 30 * time.Second, 40 * time.Second, 60.0},
		{"update restarts the ttl", Object{"ttl": float64(100)}, 30 * time.Second, 40 * time.Second, 90.0},
		{"update can shorten it", Object{"ttl": float64(5)}, 30 * time.Second, 36 * time.Second, "hidden"},
		{"null clears it", Object{"ttl": nil}, 30 * time.Second, time.Hour, nil},
		{"zero means no expiry", Object{"ttl": float64(0)}, 30 * time.Second, time.Hour, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := created
			if tt.patch != nil {
				var perr *Error
				obj, perr = KeyAuthCredentials.process(tt.patch, OpUpdate, created, t0.Add(tt.at))
				if perr != nil {
					t.Fatal(perr.Message)
				}
			}
			shown, visible := KeyAuthCredentials.Present(obj, t0.Add(tt.present))
			if tt.want == "hidden" {
				if visible {
					t.Errorf("expired credential shown: %v", shown)
				}
				return
			}
			if !visible || shown["ttl"] != tt.want {
				t.Errorf("ttl %v (visible %v), want %v", shown["ttl"], visible, tt.want)
			}
		})
	}
	// Entities without a ttl are shown unchanged.
	svc := Object{"id": testUUID, "name": "s"}
	if got, ok := Services.Present(svc, t0); !ok || got["name"] != "s" {
		t.Errorf("service presented as %v %v", got, ok)
	}
	// An out-of-range ttl is still refused.
	if _, err := KeyAuthCredentials.process(Object{"ttl": float64(-1)}, OpUpdate, created, t0); err == nil {
		t.Error("negative ttl accepted")
	}
}
