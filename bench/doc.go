// Package bench holds coldstore's benchmarks, each beside raw bbolt doing
// the same work in the same run, so that what is compared is a ratio on one
// machine at one moment (see README.md here for how to run them and the
// table of results).
package bench
