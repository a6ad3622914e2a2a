//go:build !linux

// Command sendpath measures Linux's ways of sending a file over a socket
// (main_linux.go says how); elsewhere it only says so.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "sendpath: measures Linux's splice, tee and sendfile, and runs on Linux only")
	os.Exit(2)
}
