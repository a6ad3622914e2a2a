//go:build !linux

// Command pagecache measures Linux's page cache (main_linux.go says how);
// elsewhere it only says so.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "pagecache: measures Linux's page cache, and runs on Linux only")
	os.Exit(2)
}
