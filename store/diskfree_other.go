//go:build !linux

package store

import "errors"

// fileSystem is not measured on this system: the write check alone decides.
func fileSystem(string) (int64, bool, error) {
	return 0, false, errors.New("free space: not measured on this system")
}

// writable is not asked on this system.
func writable(string) bool { return true }
