//go:build !linux

package bench

import (
	"errors"
	"syscall"
	"time"
)

// procCPU reads /proc, which only Linux has: elsewhere the wire
// benchmark reports no server CPU.
func procCPU(pid int) (time.Duration, error) {
	return 0, errors.New("server CPU is read from /proc: Linux only")
}

func procSwitches(pid int) (int64, error) {
	return 0, errors.New("context switches are read from /proc: Linux only")
}

func procTicks(pid int) (user, sys int64, err error) {
	return 0, 0, errors.New("server CPU is read from /proc: Linux only")
}

func procResetPeak(pid int) error { return errors.New("peak memory is read from /proc: Linux only") }

func procPeakRSS(pid int) (int64, error) {
	return 0, errors.New("peak memory is read from /proc: Linux only")
}

func childAttr() *syscall.SysProcAttr { return nil }

func settleDisk() {}

// machineBusy reads /proc, which only Linux has: elsewhere settleCPU does
// not wait.
func machineBusy() (busy, total int64, err error) {
	return 0, 0, errors.New("the machine's CPU time is read from /proc: Linux only")
}
