package declarative

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/straitgw/strait/internal/entity"
)

// defaultPageSize is the page size used to read collections.
const defaultPageSize = 1000

// AdminClient reads and writes entities through a Kong-compatible Admin
// API. It implements Target.
type AdminClient struct {
	// BaseURL is the Admin API root ("http://127.0.0.1:8001").
	BaseURL string
	// HTTP is the client used; nil means one with a 30 s timeout.
	HTTP *http.Client
	// Registry describes the entity types to read and write.
	Registry *entity.Registry
	// PageSize is the size of the pages read; 0 means 1000.
	PageSize int
}

// NewAdminClient returns a client for the Admin API at baseURL.
func NewAdminClient(baseURL string, reg *entity.Registry) *AdminClient {
	return &AdminClient{BaseURL: strings.TrimRight(baseURL, "/"), Registry: reg,
		HTTP: &http.Client{Timeout: 30 * time.Second}}
}

// AdminError is a non-2xx answer of the Admin API.
type AdminError struct {
	Method, Path string
	Status       int
	// Message is the "message" of Kong's error body, or the raw body.
	Message string
}

// Error names the request and repeats the server's message.
func (e *AdminError) Error() string {
	return fmt.Sprintf("%s %s: HTTP %d: %s", e.Method, e.Path, e.Status, e.Message)
}

// ReadAll lists every collection of the registry, following pagination.
// Entities served only under a parent (targets) are read parent by
// parent. Collections the server does not serve (404) are empty.
func (c *AdminClient) ReadAll(ctx context.Context) (map[string][]entity.Object, error) {
	out := map[string][]entity.Object{}
	for _, s := range dependencyOrder(c.Registry) {
		if s.AdminPath != "" {
			list, err := c.list(ctx, "/"+s.AdminPath)
			if err != nil {
				return nil, err
			}
			if len(list) > 0 {
				out[s.Name] = list
			}
			continue
		}
		f, parent := nestingField(c.Registry, s)
		if parent == nil {
			continue
		}
		for _, p := range out[parent.Name] {
			list, err := c.list(ctx, "/"+parent.AdminPath+"/"+url.PathEscape(idOf(p))+"/"+s.Nested())
			if err != nil {
				return nil, err
			}
			for _, obj := range list {
				if foreignID(obj[f.Name]) == idOf(p) {
					out[s.Name] = append(out[s.Name], obj)
				}
			}
		}
	}
	return out, nil
}

// list reads every page of one collection.
func (c *AdminClient) list(ctx context.Context, path string) ([]entity.Object, error) {
	var all []entity.Object
	offset := ""
	for {
		size := c.PageSize
		if size <= 0 {
			size = defaultPageSize
		}
		q := url.Values{"size": {fmt.Sprint(size)}}
		if offset != "" {
			q.Set("offset", offset)
		}
		var page struct {
			Data   []entity.Object `json:"data"`
			Offset *string         `json:"offset"`
		}
		status, err := c.do(ctx, http.MethodGet, path+"?"+q.Encode(), nil, &page)
		if status == http.StatusNotFound {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		all = append(all, page.Data...)
		if page.Offset == nil || *page.Offset == "" {
			return all, nil
		}
		offset = *page.Offset
	}
}

// TransformsInput reports that the Admin API applies write
// transformations (password hashing) itself.
func (c *AdminClient) TransformsInput() bool { return true }

// Put sends the object with PUT /{collection}/{id}; entities served only
// under their parent are created with POST on the nested collection and
// replaced with PUT on the nested entity.
func (c *AdminClient) Put(ctx context.Context, s *entity.Schema, obj entity.Object, create bool) error {
	body := cloneMap(obj)
	delete(body, "updated_at")
	if create {
		delete(body, "created_at")
	}
	if s.AdminPath == "" && create {
		base, err := c.nestedBase(s, obj)
		if err != nil {
			return err
		}
		_, err = c.do(ctx, http.MethodPost, base, body, nil)
		return err
	}
	path, err := c.entityPath(s, obj)
	if err != nil {
		return err
	}
	_, err = c.do(ctx, http.MethodPut, path, body, nil)
	return err
}

// Delete sends DELETE for the entity; one already gone is not an error.
func (c *AdminClient) Delete(ctx context.Context, s *entity.Schema, obj entity.Object) error {
	path, err := c.entityPath(s, obj)
	if err != nil {
		return err
	}
	status, err := c.do(ctx, http.MethodDelete, path, nil, nil)
	if status == http.StatusNotFound {
		return nil
	}
	return err
}

// entityPath is the URL path addressing obj.
func (c *AdminClient) entityPath(s *entity.Schema, obj entity.Object) (string, error) {
	if s.AdminPath != "" {
		return "/" + s.AdminPath + "/" + url.PathEscape(idOf(obj)), nil
	}
	base, err := c.nestedBase(s, obj)
	if err != nil {
		return "", err
	}
	return base + "/" + url.PathEscape(idOf(obj)), nil
}

// nestedBase is the nested collection of obj under its parent.
func (c *AdminClient) nestedBase(s *entity.Schema, obj entity.Object) (string, error) {
	f, parent := nestingField(c.Registry, s)
	if parent == nil {
		return "", fmt.Errorf("%s has no Admin API collection", s.Name)
	}
	return "/" + parent.AdminPath + "/" + url.PathEscape(foreignID(obj[f.Name])) + "/" + s.Nested(), nil
}

// nestingField returns the required foreign key through which a schema
// without a collection of its own is served, and the parent schema.
func nestingField(reg *entity.Registry, s *entity.Schema) (*entity.Field, *entity.Schema) {
	for _, f := range s.ForeignFields() {
		if p := reg.Get(f.Reference); f.Required && p != nil && p.AdminPath != "" {
			return f, p
		}
	}
	return nil, nil
}

// do sends one request; a 2xx answer is decoded into out when given.
func (c *AdminClient) do(ctx context.Context, method, path string, body any, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return 0, fmt.Errorf("encoding %s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, rd)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	client := c.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return res.StatusCode, fmt.Errorf("%s %s: reading answer: %w", method, path, err)
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return res.StatusCode, &AdminError{Method: method, Path: strings.SplitN(path, "?", 2)[0],
			Status: res.StatusCode, Message: errorMessage(raw)}
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return res.StatusCode, fmt.Errorf("%s %s: decoding answer: %w", method, path, err)
		}
	}
	return res.StatusCode, nil
}

// errorMessage extracts Kong's "message" from an error body.
func errorMessage(raw []byte) string {
	var body struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &body) == nil && body.Message != "" {
		return body.Message
	}
	s := strings.TrimSpace(string(raw))
	if len(s) > 500 {
		s = s[:500] + "..."
	}
	return s
}
