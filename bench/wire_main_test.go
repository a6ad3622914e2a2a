package bench

import (
	"os"
	"testing"
)

// TestMain stops the servers BenchmarkWire started, and is the gofakes3
// server when this binary is run as one (see startWireServer).
func TestMain(m *testing.M) {
	if addr := os.Getenv(gofakes3AddrEnv); addr != "" {
		os.Exit(runGofakes3(addr, os.Getenv(gofakes3DBEnv)))
	}
	code := m.Run()
	stopWireServers()
	os.Exit(code)
}
