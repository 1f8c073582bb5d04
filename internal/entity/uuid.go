package entity

import "github.com/google/uuid"

// IsUUID reports whether s has the 8-4-4-4-12 hexadecimal UUID shape
// (either letter case), the test Kong applies to ids and URL keys.
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !isHex(c) {
				return false
			}
		}
	}
	return true
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// NewUUID returns a fresh random (version 4) UUID in lower case.
func NewUUID() string { return uuid.NewString() }
