package httplog

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugins/logserializer"
)

// sender posts batches to the endpoint. It is used by the sink's workers,
// one batch at a time per worker.
type sender struct {
	endpoint string
	method   string
	header   http.Header
	single   bool // max_batch_size 1: the body is one object, not an array
	maxBytes int
	timeout  time.Duration
	client   *http.Client
	pool     chan *bytes.Buffer
}

func newSender(cfg Config) (*sender, error) {
	u, err := url.Parse(cfg.HTTPEndpoint)
	if err != nil {
		return nil, fmt.Errorf("parse http_endpoint: %w", err)
	}
	header := http.Header{}
	for k, v := range cfg.Headers {
		header.Set(k, v)
	}
	header.Set("Content-Type", cfg.ContentType)
	header.Set("User-Agent", "strait-http-log")
	if u.User != nil {
		pw, _ := u.User.Password()
		req := http.Request{Header: header}
		req.SetBasicAuth(u.User.Username(), pw)
		u.User = nil
	}
	conc := 1
	if cfg.Queue.ConcurrencyLimit < 0 {
		conc = 8
	}
	transport := &http.Transport{
		Proxy:               nil,
		MaxIdleConnsPerHost: conc,
		IdleConnTimeout:     time.Duration(cfg.Keepalive) * time.Millisecond,
		ForceAttemptHTTP2:   true,
	}
	s := &sender{
		endpoint: u.String(),
		method:   cfg.Method,
		header:   header,
		single:   cfg.Queue.MaxBatchSize <= 1,
		timeout:  time.Duration(cfg.Timeout) * time.Millisecond,
		client:   &http.Client{Transport: transport},
		pool:     make(chan *bytes.Buffer, 4),
	}
	if cfg.Queue.MaxBytes != nil {
		s.maxBytes = *cfg.Queue.MaxBytes
	}
	return s, nil
}

// Deliver implements logserializer.Deliverer: it sends the batch as one
// request (split in halves while the body exceeds max_bytes) and fails
// unless the endpoint answers with a status below 300.
func (s *sender) Deliver(ctx context.Context, batch []*plugin.LogRecord) error {
	buf := s.buffer()
	defer s.release(buf)
	var err error
	if s.single && len(batch) == 1 {
		err = logserializer.AppendJSON(buf, batch[0])
	} else {
		err = logserializer.AppendJSONArray(buf, batch)
	}
	if err != nil {
		return err
	}
	if s.maxBytes > 0 && buf.Len() > s.maxBytes && len(batch) > 1 {
		half := len(batch) / 2
		if err := s.Deliver(ctx, batch[:half]); err != nil {
			return err
		}
		return s.Deliver(ctx, batch[half:])
	}
	return s.post(ctx, buf.Bytes())
}

func (s *sender) post(ctx context.Context, body []byte) error {
	if s.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, s.method, s.endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header = s.header.Clone()
	res, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("send to %s: %w", s.endpoint, err)
	}
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	if res.StatusCode >= 300 {
		return fmt.Errorf("request to %s returned status code %d", s.endpoint, res.StatusCode)
	}
	return nil
}

func (s *sender) buffer() *bytes.Buffer {
	select {
	case b := <-s.pool:
		b.Reset()
		return b
	default:
		return &bytes.Buffer{}
	}
}

func (s *sender) release(b *bytes.Buffer) {
	if b.Cap() > 4<<20 {
		return
	}
	select {
	case s.pool <- b:
	default:
	}
}

// Close implements logserializer.Deliverer.
func (s *sender) Close() error {
	s.client.CloseIdleConnections()
	return nil
}
