package crc64ecma

import "golang.org/x/sys/cpu"

// useCLMUL is whether fold runs: it needs PCLMULQDQ (and SSE2, which every
// amd64 has).
var useCLMUL = cpu.X86.HasPCLMULQDQ

// fold reduces p, whose length is a positive multiple of 64, to a 128-bit
// residue (lo, hi) congruent to it modulo P after crc is added to its first
// eight bytes. k is foldK.
//
//go:noescape
func fold(crc uint64, p []byte, k *[4]uint64) (lo, hi uint64)
