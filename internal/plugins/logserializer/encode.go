// Package logserializer holds what the log plugins share: the JSON form
// of a log record, the schema pieces common to their configs, and the
// shared sinks that carry records off the request path to a destination
// in batches, with bounded memory and counted drops and failures.
package logserializer

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/straitgw/strait/internal/plugin"
)

// AppendJSON appends the JSON form of rec (Kong's log serializer shape)
// to buf, without a trailing newline. HTML characters are not escaped, as
// Kong's encoder does not escape them either.
func AppendJSON(buf *bytes.Buffer, rec *plugin.LogRecord) error {
	start := buf.Len()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil {
		buf.Truncate(start)
		return fmt.Errorf("encode log record: %w", err)
	}
	buf.Truncate(buf.Len() - 1) // Encode ends every value with a newline
	return nil
}

// AppendJSONArray appends the records as one JSON array.
func AppendJSONArray(buf *bytes.Buffer, recs []*plugin.LogRecord) error {
	buf.WriteByte('[')
	for i, rec := range recs {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := AppendJSON(buf, rec); err != nil {
			return err
		}
	}
	buf.WriteByte(']')
	return nil
}
