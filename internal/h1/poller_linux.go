//go:build linux

package h1

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Event bits reported by the poller.
const (
	evRead  = unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLHUP | unix.EPOLLERR
	evWrite = unix.EPOLLOUT | unix.EPOLLHUP | unix.EPOLLERR
	// evConn is how connections are registered: edge-triggered for both
	// directions, so one registration serves a connection's whole life.
	evConn = unix.EPOLLIN | unix.EPOLLOUT | unix.EPOLLRDHUP | unix.EPOLLET
)

// poller is one epoll instance. The loop drains it with non-blocking
// waits while there is work; when there is none it parks its goroutine
// in the runtime's own poller, on which the epoll descriptor is
// registered (an epoll descriptor is readable while events are pending),
// so an idle loop holds no thread.
type poller struct {
	fd     int
	file   *os.File
	raw    syscall.RawConn
	events []unix.EpollEvent

	// parked collects the events for park; bound once so that parking
	// does not allocate.
	parked   func(uintptr) bool
	n        int
	deadline time.Time // the deadline armed on file
}

func newPoller() (*poller, error) {
	fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("epoll_create1: %w", err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		_ = unix.Close(fd)
		return nil, fmt.Errorf("epoll descriptor: %w", err)
	}
	// A non-blocking descriptor handed to os.NewFile is registered with
	// the runtime poller.
	f := os.NewFile(uintptr(fd), "epoll")
	raw, err := f.SyscallConn()
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("epoll descriptor: %w", err)
	}
	p := &poller{fd: fd, file: f, raw: raw, events: make([]unix.EpollEvent, 256)}
	p.parked = func(uintptr) bool {
		p.n = p.poll()
		return p.n > 0
	}
	return p, nil
}

// add watches fd with the given event mask; the event carries fd.
func (p *poller) add(fd int, events uint32) error {
	ev := unix.EpollEvent{Events: events, Fd: int32(fd)}
	if err := unix.EpollCtl(p.fd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		return os.NewSyscallError("epoll_ctl", err)
	}
	return nil
}

// del stops watching fd.
func (p *poller) del(fd int) {
	_ = unix.EpollCtl(p.fd, unix.EPOLL_CTL_DEL, fd, nil)
}

// poll collects pending events without waiting.
func (p *poller) poll() int {
	for {
		n, _, e := syscall.RawSyscall6(syscall.SYS_EPOLL_PWAIT, uintptr(p.fd),
			uintptr(unsafe.Pointer(&p.events[0])), uintptr(len(p.events)), 0, 0, 0)
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return 0
		}
		return int(n)
	}
}

// park blocks the calling goroutine until events are pending or the
// deadline passes (zero: no deadline), and returns the events collected.
func (p *poller) park(deadline time.Time) int {
	if !deadline.Equal(p.deadline) {
		p.deadline = deadline
		_ = p.file.SetReadDeadline(deadline)
	}
	p.n = 0
	err := p.raw.Read(p.parked)
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			// Expired: the next park arms a new one.
			p.deadline = time.Time{}
			_ = p.file.SetReadDeadline(time.Time{})
		} else {
			// The descriptor cannot be waited on (it was closed): do not
			// spin.
			time.Sleep(time.Millisecond)
		}
	}
	return p.n
}

func (p *poller) close() { _ = p.file.Close() }
