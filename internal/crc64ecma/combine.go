package crc64ecma

import "hash/crc64"

// Combine returns the CRC-64/ECMA of A followed by B, given the CRC
// of A, the CRC of B and B's length: zlib's crc32_combine, for 64 bits.
// Appending n zero bits to a message is linear over GF(2); the operator for
// one zero bit is built from the (reflected) polynomial, squared to the
// operators for 2, 4, 8... bits, and applied to crc1 for each bit set in
// B's length. The pre- and post-inversion of the CRC cancel out in the
// sum with crc2. An object's CRC is computed from its parts' with it, in
// O(log length) per part, without reading them.
func Combine(crc1, crc2 uint64, len2 int64) uint64 {
	if len2 <= 0 {
		return crc1
	}
	var even, odd [64]uint64
	odd[0] = crc64.ECMA // the operator for one zero bit
	row := uint64(1)
	for n := 1; n < 64; n++ {
		odd[n] = row
		row <<= 1
	}
	gf2Square(&even, &odd) // two zero bits
	gf2Square(&odd, &even) // four
	for {                  // eight, sixteen, ...: one zero byte at the first step
		gf2Square(&even, &odd)
		if len2&1 != 0 {
			crc1 = gf2Times(&even, crc1)
		}
		if len2 >>= 1; len2 == 0 {
			break
		}
		gf2Square(&odd, &even)
		if len2&1 != 0 {
			crc1 = gf2Times(&odd, crc1)
		}
		if len2 >>= 1; len2 == 0 {
			break
		}
	}
	return crc1 ^ crc2
}

// gf2Times multiplies the 64×64 bit matrix mat by vec.
func gf2Times(mat *[64]uint64, vec uint64) uint64 {
	var sum uint64
	for i := 0; vec != 0; i, vec = i+1, vec>>1 {
		if vec&1 != 0 {
			sum ^= mat[i]
		}
	}
	return sum
}

// gf2Square sets square to mat × mat.
func gf2Square(square, mat *[64]uint64) {
	for n := range mat {
		square[n] = gf2Times(mat, mat[n])
	}
}
