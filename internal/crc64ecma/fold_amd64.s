#include "textflag.h"

// FOLD16 moves the lane in V 128 bits on (V.lo·K.lo ⊕ V.hi·K.hi) and adds
// it to ACC. T is scratch.
#define FOLD16(V, K, T, ACC) \
	MOVOA V, T \
	PCLMULQDQ $0x00, K, V \
	PCLMULQDQ $0x11, K, T \
	PXOR V, ACC \
	PXOR T, ACC

// func fold(crc uint64, p []byte, k *[4]uint64) (lo, hi uint64)
TEXT ·fold(SB), NOSPLIT, $0-56
	MOVQ crc+0(FP), AX
	MOVQ p_base+8(FP), SI
	MOVQ p_len+16(FP), CX
	MOVQ k+32(FP), DX

	MOVOU 0(SI), X0
	MOVOU 16(SI), X1
	MOVOU 32(SI), X2
	MOVOU 48(SI), X3
	MOVQ AX, X4
	PXOR X4, X0
	ADDQ $64, SI
	SUBQ $64, CX
	MOVOU 0(DX), X5

loop:
	CMPQ CX, $0
	JEQ combine
	MOVOU 0(SI), X8
	MOVOU 16(SI), X9
	MOVOU 32(SI), X10
	MOVOU 48(SI), X11
	FOLD16(X0, X5, X6, X8)
	FOLD16(X1, X5, X7, X9)
	FOLD16(X2, X5, X12, X10)
	FOLD16(X3, X5, X13, X11)
	MOVOA X8, X0
	MOVOA X9, X1
	MOVOA X10, X2
	MOVOA X11, X3
	ADDQ $64, SI
	SUBQ $64, CX
	JMP loop

combine:
	MOVOU 16(DX), X5
	FOLD16(X0, X5, X6, X1)
	FOLD16(X1, X5, X6, X2)
	FOLD16(X2, X5, X6, X3)
	MOVQ X3, lo+40(FP)
	PSRLDQ $8, X3
	MOVQ X3, hi+48(FP)
	RET
