package admin

import (
	"math"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
)

const (
	defaultPageSize = 100
	maxPageSize     = 1000
	maxTagFilters   = 5
)

// pageQuery is the parsed paging part of a list request.
type pageQuery struct {
	opts store.ListOptions
	// size and tags as given, for the next link; empty when absent.
	sizeGiven bool
	rawTags   string
	hasTags   bool
}

// query parses the URL arguments, enforcing Kong's argument limit.
func (rc *request) query() (url.Values, error) {
	q, _ := url.ParseQuery(rc.r.URL.RawQuery)
	if countArgs(q) > maxArgs {
		return nil, errTooManyArgs
	}
	return q, nil
}

// parsePage reads size, offset and (when withTags) tags from the query.
func parsePage(q url.Values, withTags bool) (pageQuery, error) {
	var pq pageQuery
	if vs, ok := q["size"]; ok {
		n, err := parseSize(vs[0])
		if err != nil {
			return pq, err
		}
		pq.opts.Size, pq.sizeGiven = n, true
	} else {
		pq.opts.Size = defaultPageSize
	}
	pq.opts.Offset = q.Get("offset")
	if vs, ok := q["tags"]; ok && withTags {
		tags, or, err := parseTags(vs[0])
		if err != nil {
			return pq, err
		}
		pq.opts.Tags, pq.opts.TagsOr = tags, or
		pq.rawTags, pq.hasTags = vs[0], true
	}
	return pq, nil
}

func parseSize(s string) (int, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, sizeError("size must be a number")
	}
	if !(f >= 1 && f <= maxPageSize) || f != math.Trunc(f) {
		return 0, sizeError("size must be an integer between 1 and " + strconv.Itoa(maxPageSize))
	}
	return int(f), nil
}

func sizeError(msg string) *entity.Error {
	return &entity.Error{Code: entity.CodeInvalidSize, Name: "invalid size", Message: msg}
}

// parseTags splits a tags filter: "a,b" requires all tags, "a/b" any.
func parseTags(s string) ([]string, bool, error) {
	if s == "" {
		return nil, false, tagsError("cannot be null")
	}
	hasAnd, hasOr := strings.Contains(s, ","), strings.Contains(s, "/")
	if hasAnd && hasOr {
		return nil, false, tagsError("invalid filter syntax")
	}
	sep := ","
	if hasOr {
		sep = "/"
	}
	tags := strings.Split(s, sep)
	if len(tags) > maxTagFilters {
		return nil, false, tagsError("cannot query more than " + strconv.Itoa(maxTagFilters) + " tags")
	}
	for _, t := range tags {
		if !validTag(t) {
			return nil, false, tagsError("invalid filter syntax")
		}
	}
	return tags, hasOr, nil
}

// validTag accepts non-empty printable text without the filter separators.
func validTag(t string) bool {
	if t == "" || !utf8.ValidString(t) {
		return false
	}
	for _, r := range t {
		if r == ',' || r == '/' || !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

func tagsError(reason string) *entity.Error {
	return &entity.Error{Code: entity.CodeInvalidOptions, Name: "invalid options",
		Message: "invalid option (tags: " + reason + ")", Options: map[string]any{"tags": reason}}
}

// listBody renders a page in Kong's envelope. base is the path the next
// link starts with; withQuery adds the caller's tags and size to it.
func listBody(page store.Page, base string, pq pageQuery, withQuery bool) map[string]any {
	data := page.Data
	if data == nil {
		data = []entity.Object{}
	}
	out := map[string]any{"data": data, "next": nil}
	if page.Offset == "" {
		return out
	}
	out["offset"] = page.Offset
	next := base + "?offset=" + escapeComponent(page.Offset)
	if withQuery {
		if pq.hasTags {
			next += "&tags=" + escapeComponent(pq.rawTags)
		}
		if pq.sizeGiven {
			next += "&size=" + strconv.Itoa(pq.opts.Size)
		}
	}
	out["next"] = next
	return out
}

// escapeComponent percent-encodes everything but RFC 3986 unreserved
// characters, as nginx's escape_uri does for query values.
func escapeComponent(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
