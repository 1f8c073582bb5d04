package dbless

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
)

// errNoConfig is answered when a request carries no configuration.
var errNoConfig = errors.New("expected a declarative configuration")

// readSource extracts the configuration from a POST /config request, in
// Kong's order: a JSON object with _format_version is the configuration
// itself; otherwise a "config" field (JSON, form or multipart) holds its
// text; otherwise the raw body is the text (application/yaml, say).
func readSource(r *http.Request) (Source, error) {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return Source{}, err
	}
	mediaType, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch strings.ToLower(mediaType) {
	case "application/json":
		var doc map[string]any
		if json.Unmarshal(data, &doc) == nil && doc != nil {
			if _, ok := doc["_format_version"]; ok {
				return Source{Object: doc}, nil
			}
			if text, ok := doc["config"].(string); ok {
				return textSource(text)
			}
		}
	case "application/x-www-form-urlencoded":
		values, err := url.ParseQuery(string(data))
		if err == nil && values.Has("config") {
			return textSource(values.Get("config"))
		}
	case "multipart/form-data":
		text, found, err := multipartConfig(data, params["boundary"])
		if err != nil {
			return Source{}, err
		}
		if found {
			return textSource(text)
		}
		return Source{}, errNoConfig
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return Source{}, errNoConfig
	}
	return Source{Text: data}, nil
}

func textSource(text string) (Source, error) {
	if strings.TrimSpace(text) == "" {
		return Source{}, errNoConfig
	}
	return Source{Text: []byte(text)}, nil
}

// multipartConfig returns the content of the part named "config" (a file
// upload as `curl -F config=@kong.yml` sends it, or a plain field).
func multipartConfig(data []byte, boundary string) (string, bool, error) {
	if boundary == "" {
		return "", false, errors.New("multipart body without boundary")
	}
	mr := multipart.NewReader(bytes.NewReader(data), boundary)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return "", false, nil
		}
		if err != nil {
			return "", false, err
		}
		if part.FormName() != "config" {
			continue
		}
		content, err := io.ReadAll(part)
		if err != nil {
			return "", false, err
		}
		return string(content), true, nil
	}
}

// flag reports whether a query flag is set to a true value.
func flag(q url.Values, name string) bool {
	switch strings.ToLower(q.Get(name)) {
	case "1", "true", "on", "yes":
		return true
	}
	return false
}
