package sim_test

import (
	"context"
	"testing"

	oldsim "github.com/coldstore-dev/coldstore/bench/sim"
	"github.com/coldstore-dev/coldstore/sim"
	"github.com/stretchr/testify/require"
)

// Code written against the simulation's old import path still runs it.
func TestAliases(t *testing.T) {
	w := oldsim.Default()
	w.Objects, w.ArrivalsPerDay = 50, 5
	cfg := oldsim.Config{Name: "standard", Workload: w, Days: 3}
	got, err := oldsim.Run(context.Background(), cfg)
	require.NoError(t, err)
	want, err := sim.Run(context.Background(), sim.Config(cfg))
	require.NoError(t, err)
	require.Equal(t, want, got)
	require.Equal(t, sim.Start, oldsim.Start)
}
