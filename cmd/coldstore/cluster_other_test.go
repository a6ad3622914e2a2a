//go:build unix && !linux

package main

import "os/exec"

// clusterDeathSignal does nothing here: only Linux kills a child with
// its parent.
func clusterDeathSignal(*exec.Cmd) {}
