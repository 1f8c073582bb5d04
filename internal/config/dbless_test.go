package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDatabaseOff(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		desc           string
		env            []string
		database, file string
		inline         string
		masked         any
	}{
		{"default", nil, "sqlite", "", "", ""},
		{"off with a relative file", []string{"KONG_DATABASE=off", "KONG_DECLARATIVE_CONFIG=kong.yml"},
			"off", filepath.Join(wd, "kong.yml"), "", ""},
		{"off with an absolute file", []string{"STRAIT_DATABASE=off", "STRAIT_DECLARATIVE_CONFIG=/etc/kong/kong.yml"},
			"off", "/etc/kong/kong.yml", "", ""},
		{"off with an inline string", []string{"STRAIT_DATABASE=off",
			"STRAIT_DECLARATIVE_CONFIG_STRING={\"_format_version\":\"3.0\"}"},
			"off", "", `{"_format_version":"3.0"}`, "******"},
	}
	for _, tt := range tests {
		c, err := Load("", tt.env)
		if err != nil {
			t.Fatalf("%s: %v", tt.desc, err)
		}
		if c.Database != tt.database || c.DeclarativeConfig != tt.file || c.DeclarativeConfigString != tt.inline {
			t.Fatalf("%s: database %q, file %q, inline %q", tt.desc, c.Database, c.DeclarativeConfig, c.DeclarativeConfigString)
		}
		if got := c.Masked()["declarative_config_string"]; got != tt.masked {
			t.Fatalf("%s: masked declarative_config_string %v, want %v", tt.desc, got, tt.masked)
		}
	}
	if _, err := Load("", []string{"STRAIT_DATABASE=postgres"}); err == nil || !strings.Contains(err.Error(), "database") {
		t.Fatalf("database = postgres: %v", err)
	}
}
