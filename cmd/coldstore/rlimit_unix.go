//go:build unix

package main

import "syscall"

// fdLimit is the process's limit of open files (Go raises the soft limit
// to the hard one at start), or 0 when unknown.
func fdLimit() uint64 {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 0
	}
	return r.Cur
}
