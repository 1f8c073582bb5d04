package h1

import "time"

// keepDeadline as a connReader timeout leaves the armed read deadline as
// it is (used while a request head is read under one fixed deadline).
const keepDeadline time.Duration = -1

// maxDeadlineSlack caps deadlineSlack.
const maxDeadlineSlack = time.Second

// deadlineSlack is how much earlier than asked an already armed deadline
// may fall and still be kept: 1/64 of the timeout, at most a second.
// Arming a deadline takes a lock and a timer update in the runtime; on a
// busy keep-alive connection this lets one armed deadline serve every
// read or write of the next second instead of re-arming it each time.
func deadlineSlack(timeout time.Duration) time.Duration {
	return min(timeout/64, maxDeadlineSlack)
}

// rearm makes the deadline armed with set (whose current value is
// *armed) expire timeout from now, or clears it when timeout <= 0. An
// armed deadline that falls between deadlineSlack(timeout) before the
// wanted one and the wanted one is kept, so the timeout may fire up to
// that slack early. It reports whether set was called.
func rearm(armed *time.Time, timeout time.Duration, set func(time.Time) error) (bool, error) {
	if timeout <= 0 {
		if armed.IsZero() {
			return false, nil
		}
		*armed = time.Time{}
		return true, set(time.Time{})
	}
	want := time.Now().Add(timeout)
	if !armed.IsZero() && !armed.After(want) && want.Sub(*armed) <= deadlineSlack(timeout) {
		return false, nil
	}
	*armed = want
	return true, set(want)
}
