// Command bigupstream is the backend of the large-body benchmark
// (bench/large.sh): a minimal HTTP/1.1 keep-alive responder that answers
// every request with 200 and the same body, held in memory and sent with a
// Content-Length header (1 MiB unless -size says otherwise).
//
// It works on net.Conn directly, like the "raw" upstream of the shared
// harness: it reads each header block up to the empty line and writes the
// precomputed response in one call, so its cost per request is little more
// than the copy of the body into the socket. It never reads request
// bodies, so it is meant for GETs without one. HEAD gets the headers only.
// A request carrying "Connection: close" is answered and the connection
// closed.
//
// It prints "ready ADDR" on stdout once it listens.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:61999", "listen address")
	size := flag.Int("size", 1<<20, "body size in bytes")
	flag.Parse()
	if *size < 0 {
		log.Fatalf("bigupstream: -size must not be negative")
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	full, head := response(*size)
	fmt.Printf("ready %s\n", ln.Addr())
	_ = os.Stdout.Sync()
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go serve(c, full, head)
	}
}

// response builds the complete answer (headers and body) and the headers
// alone; head is a prefix of full.
func response(size int) (full, head []byte) {
	hdr := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n", size)
	full = make([]byte, len(hdr)+size)
	n := copy(full, hdr)
	// a repeating, printable pattern: easy to recognise in a capture and
	// not all zeros, so nothing on the way can treat it as a sparse region
	const pattern = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_\n"
	for i := n; i < len(full); i++ {
		full[i] = pattern[(i-n)%len(pattern)]
	}
	return full, full[:n]
}

// serve answers the requests of one connection in order until the peer
// closes it, a read or write fails, or a request asks for the connection to
// be closed.
func serve(c net.Conn, full, head []byte) {
	defer c.Close()
	r := bufio.NewReaderSize(c, 16<<10)
	for {
		line, err := r.ReadSlice('\n') // METHOD SP TARGET SP VERSION
		if err != nil {
			return
		}
		resp := full
		if bytes.HasPrefix(line, []byte("HEAD ")) {
			resp = head
		}
		closeAfter := false
		for {
			h, err := r.ReadSlice('\n')
			if err != nil {
				return
			}
			if len(h) <= 2 { // the empty line ending the header block
				break
			}
			if len(h) > 11 && bytes.EqualFold(h[:11], []byte("connection:")) &&
				bytes.Contains(bytes.ToLower(h), []byte("close")) {
				closeAfter = true
			}
		}
		if _, err := c.Write(resp); err != nil || closeAfter {
			return
		}
	}
}
