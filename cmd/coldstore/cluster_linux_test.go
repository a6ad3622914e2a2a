//go:build linux

package main

import (
	"os/exec"
	"syscall"
)

// clusterDeathSignal has a node killed when the test process dies, so
// that a test killed by its timeout leaves no server behind.
func clusterDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
