//go:build !amd64

package crc64ecma

// useCLMUL is false: only amd64 folds; elsewhere Update is hash/crc64.
const useCLMUL = false

// fold is never called where useCLMUL is false.
func fold(crc uint64, p []byte, k *[4]uint64) (lo, hi uint64) {
	panic("crc64ecma: fold without PCLMULQDQ")
}
