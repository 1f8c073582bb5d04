package admin

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

	"github.com/straitgw/strait/internal/entity"
)

// maxArgs is the number of query or form arguments Kong's Admin API
// parser accepts.
const maxArgs = 1000

var (
	errTooManyArgs  = message(http.StatusBadRequest, "Too many arguments")
	errBadJSON      = message(http.StatusBadRequest, "Cannot parse JSON body")
	errUnsupported  = &emptyError{status: http.StatusUnsupportedMediaType}
	errTooLarge     = message(http.StatusRequestEntityTooLarge, "Payload too large")
	errMultipleType = &plainError{status: http.StatusBadRequest, text: "Multiple Content-Type headers not allowed"}
)

// body is a decoded request body. Form bodies still need schema coercion
// (see coerce); JSON bodies are used as sent.
type body struct {
	obj  entity.Object
	form bool
}

// readBody decodes the body of a POST, PUT or PATCH request following
// Kong's content-type rules.
func (rc *request) readBody() (body, error) {
	types := rc.r.Header.Values("Content-Type")
	if len(types) > 1 {
		return body{}, errMultipleType
	}
	data, err := io.ReadAll(http.MaxBytesReader(rc.w, rc.r.Body, rc.api.opts.MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return body{}, errTooLarge
		}
		return body{}, message(http.StatusBadRequest, "Bad request")
	}
	if len(types) == 0 || strings.TrimSpace(types[0]) == "" {
		if len(data) > 0 {
			return body{}, errUnsupported
		}
		return body{obj: entity.Object{}}, nil
	}
	ct := strings.ToLower(types[0])
	switch {
	case strings.HasPrefix(ct, "application/json"):
		obj, err := parseJSONObject(data)
		return body{obj: obj}, err
	case strings.HasPrefix(ct, "application/x-www-form-urlencoded"):
		values, _ := url.ParseQuery(string(data))
		if countArgs(values) > maxArgs {
			return body{}, errTooManyArgs
		}
		return body{obj: decodeForm(values, nil), form: true}, nil
	case strings.HasPrefix(ct, "multipart/form-data"):
		obj, err := parseMultipart(types[0], data)
		return body{obj: obj, form: true}, err
	}
	return body{}, errUnsupported
}

// parseJSONObject decodes a JSON object; anything else is unparseable.
func parseJSONObject(data []byte) (entity.Object, error) {
	var obj entity.Object
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil, errBadJSON
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errBadJSON
	}
	return obj, nil
}

// parseMultipart decodes multipart/form-data parts as form fields; parts
// sent as application/json are decoded as JSON values.
func parseMultipart(contentType string, data []byte) (entity.Object, error) {
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil || params["boundary"] == "" {
		return nil, message(http.StatusBadRequest, "Bad request")
	}
	mr := multipart.NewReader(bytes.NewReader(data), params["boundary"])
	values := url.Values{}
	jsonParts := map[string]any{}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, message(http.StatusBadRequest, "Bad request")
		}
		name := part.FormName()
		content, err := io.ReadAll(part)
		if err != nil {
			return nil, message(http.StatusBadRequest, "Bad request")
		}
		if name == "" {
			continue
		}
		if strings.HasPrefix(strings.ToLower(part.Header.Get("Content-Type")), "application/json") {
			var v any
			if json.Unmarshal(content, &v) == nil {
				jsonParts[name] = v
				continue
			}
		}
		values.Add(name, string(content))
		if countArgs(values)+len(jsonParts) > maxArgs {
			return nil, errTooManyArgs
		}
	}
	return decodeForm(values, jsonParts), nil
}

func countArgs(values url.Values) int {
	n := 0
	for _, v := range values {
		n += len(v)
	}
	return n
}

// coerce applies the schema's form coercion to a form body. hint carries
// fields of the stored entity that steer coercion (a plugin's name selects
// its config schema) and are not part of the body.
func coerce(s *entity.Schema, b body, hint entity.Object) entity.Object {
	if !b.form {
		return b.obj
	}
	var added []string
	for k, v := range hint {
		if _, ok := b.obj[k]; !ok && v != nil {
			b.obj[k] = v
			added = append(added, k)
		}
	}
	out := s.CoerceForm(b.obj)
	for _, k := range added {
		delete(out, k)
	}
	return out
}
