//go:build linux

package h1

import (
	"io"
	"net"
	"net/netip"
	"os"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// fdConn is a non-blocking TCP socket owned by an event loop. Read and
// Write never wait: when the kernel has nothing to give or no room to
// take, they return errWouldBlock, which is not sticky, and the loop
// resumes the operation when the socket is ready. It implements net.Conn
// so that the engine's buffered reader and writer work on it unchanged;
// deadlines are the loop's business and the Set*Deadline methods do
// nothing.
//
// Reads and writes use raw system calls: on a non-blocking socket they
// return at once, so there is no point in telling the scheduler.
type fdConn struct {
	fd     int
	local  netip.AddrPort
	remote netip.AddrPort
}

// rawRead reads from fd without entering the scheduler.
func rawRead(fd int, p []byte) (int, syscall.Errno) {
	if len(p) == 0 {
		return 0, 0
	}
	n, _, e := syscall.RawSyscall(syscall.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	return int(n), e
}

// rawWrite writes to fd without entering the scheduler.
func rawWrite(fd int, p []byte) (int, syscall.Errno) {
	if len(p) == 0 {
		return 0, 0
	}
	n, _, e := syscall.RawSyscall(syscall.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	return int(n), e
}

func (c *fdConn) Read(p []byte) (int, error) {
	for {
		n, e := rawRead(c.fd, p)
		switch {
		case e == 0:
			if n == 0 && len(p) > 0 {
				return 0, io.EOF
			}
			return n, nil
		case e == syscall.EAGAIN:
			return 0, errWouldBlock
		case e == syscall.EINTR:
			continue
		}
		return 0, c.opError("read", e)
	}
}

func (c *fdConn) Write(p []byte) (int, error) {
	written := 0
	for written < len(p) {
		n, e := rawWrite(c.fd, p[written:])
		switch {
		case e == 0:
			written += n
			continue
		case e == syscall.EAGAIN:
			return written, errWouldBlock
		case e == syscall.EINTR:
			continue
		}
		return written, c.opError("write", e)
	}
	return written, nil
}

// opError describes a failed system call the way package net does.
func (c *fdConn) opError(op string, e syscall.Errno) error {
	return &net.OpError{Op: op, Net: "tcp", Source: tcpAddr(c.local), Addr: tcpAddr(c.remote), Err: os.NewSyscallError(op, e)}
}

func tcpAddr(ap netip.AddrPort) net.Addr {
	if !ap.IsValid() {
		return nil
	}
	return net.TCPAddrFromAddrPort(ap)
}

// Close closes the socket. The loop removes it from its poller first.
func (c *fdConn) Close() error {
	if c.fd < 0 {
		return nil
	}
	err := syscall.Close(c.fd)
	c.fd = -1
	return err
}

func (c *fdConn) LocalAddr() net.Addr  { return tcpAddr(c.local) }
func (c *fdConn) RemoteAddr() net.Addr { return tcpAddr(c.remote) }

// Deadlines are kept by the loop's timers.
func (c *fdConn) SetDeadline(time.Time) error      { return nil }
func (c *fdConn) SetReadDeadline(time.Time) error  { return nil }
func (c *fdConn) SetWriteDeadline(time.Time) error { return nil }

// closeWrite half-closes the socket (lingering close).
func (c *fdConn) closeWrite() error { return syscall.Shutdown(c.fd, syscall.SHUT_WR) }

// lend returns a blocking net.Conn on a duplicate of the socket, served
// by the runtime's poller, for code that runs off the loop. The loop
// stops watching the socket meanwhile (the caller deregisters it) and
// closes the duplicate when the socket comes back.
func (c *fdConn) lend() (net.Conn, error) {
	dup, err := unix.FcntlInt(uintptr(c.fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, os.NewSyscallError("fcntl", err)
	}
	f := os.NewFile(uintptr(dup), "tcp")
	conn, err := net.FileConn(f)
	_ = f.Close()
	if err != nil {
		return nil, err
	}
	return conn, nil
}

// sockaddrToAddrPort converts an accepted or connected peer address.
func sockaddrToAddrPort(sa unix.Sockaddr) netip.AddrPort {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port))
	case *unix.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(a.Addr).Unmap(), uint16(a.Port))
	}
	return netip.AddrPort{}
}

// addrPortToSockaddr converts an address to dial.
func addrPortToSockaddr(ap netip.AddrPort) (unix.Sockaddr, int) {
	a := ap.Addr()
	if a.Is4() || a.Is4In6() {
		return &unix.SockaddrInet4{Port: int(ap.Port()), Addr: a.Unmap().As4()}, unix.AF_INET
	}
	sa := &unix.SockaddrInet6{Port: int(ap.Port()), Addr: a.As16()}
	return sa, unix.AF_INET6
}

// tuneSocket applies what package net applies to its TCP connections:
// no Nagle delay, and keep-alive probes after 15 s of silence.
func tuneSocket(fd int) {
	_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_KEEPALIVE, 1)
	_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_KEEPIDLE, 15)
	_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_KEEPINTVL, 15)
}
