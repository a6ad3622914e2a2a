// Package sim is for choosing a lifecycle policy before applying it: it
// drives the real engine, with its lifecycle and meter, through simulated
// months on a synthetic workload, and reports what a tiering policy does to
// the bill and to reads. Run simulates one policy; Compare runs the same
// workload under several, side by side. It is a library: flags live in
// cmd/coldstore.
//
// A run opens a fresh database, in memory (package memkv: a simulation
// needs no durability, and a file's commits would cost it most of its
// time) unless Config.Dir asks for a bbolt file, on a mock clock, with the background loop off, and advances time in
// steps (an hour by default). Each step, in order: new objects arrive,
// objects reach their deletion age, reads happen, clients waiting on
// restores poll, then RunLifecycle and Sweep run. Everything random comes
// from the workload's seed, so a run is a pure function of its
// configuration: the same seed gives the same report, byte for byte.
package sim
