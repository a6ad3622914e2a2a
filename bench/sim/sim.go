// Package sim is where the cost simulation lived before it became a
// product library of its own.
//
// Deprecated: use github.com/coldstore-dev/coldstore/sim; these names are
// aliases of its.
package sim

import "github.com/coldstore-dev/coldstore/sim"

// Deprecated aliases of package github.com/coldstore-dev/coldstore/sim.
type (
	Config   = sim.Config
	Report   = sim.Report
	Day      = sim.Day
	Waits    = sim.Waits
	Size     = sim.Size
	Workload = sim.Workload
	Policy   = sim.Policy
)

// Deprecated aliases of package github.com/coldstore-dev/coldstore/sim.
var (
	Start      = sim.Start
	Run        = sim.Run
	Compare    = sim.Compare
	WriteTable = sim.WriteTable
	WriteCSV   = sim.WriteCSV
	Default    = sim.Default
)
