// Command coldstore runs the coldstore engine from the command line.
//
//	coldstore demo [-db ./coldstore.db]   the archive story, step by step
//	coldstore simulate [flags]            what lifecycle policies would cost
//	coldstore serve [flags]               an OSS-compatible HTTP server
package main

import (
	"fmt"
	"io"
	"os"
)

const usage = `usage: coldstore <command> [flags]

commands:
  demo      run the archive restore story on a database file with a simulated clock
  simulate  compare lifecycle policies on a synthetic workload: cost and read delay
  serve     serve the database over the OSS REST protocol (any OSS client or SDK)
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches a command and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "demo":
		return demo(args[1:], stdout, stderr)
	case "simulate":
		return simulate(args[1:], stdout, stderr)
	case "serve":
		return serve(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "coldstore: unknown command %q\n%s", args[0], usage)
	return 2
}
