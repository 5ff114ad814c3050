//go:build amd64

#include "textflag.h"

// func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL leaf+0(FP), AX
	MOVL sub+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// FOLD(x, k, t, data) : x = x.lo*k.lo ^ x.hi*k.hi ^ data
#define FOLD(x, k, t) \
	MOVOA     x, t; \
	PCLMULQDQ $0x00, k, x; \
	PCLMULQDQ $0x11, k, t; \
	PXOR      t, x

// func fold64(crc uint64, p []byte, k *[4]uint64, out *[16]byte)
TEXT ·fold64(SB), NOSPLIT, $0-48
	MOVQ crc+0(FP), AX
	MOVQ p_base+8(FP), SI
	MOVQ p_len+16(FP), CX
	MOVQ k+32(FP), DX
	MOVQ out+40(FP), DI

	MOVOU 0(SI), X0
	MOVOU 16(SI), X1
	MOVOU 32(SI), X2
	MOVOU 48(SI), X3
	MOVQ  AX, X4
	PXOR  X4, X0
	ADDQ  $64, SI
	SUBQ  $64, CX
	MOVOU 0(DX), X5

loop64:
	CMPQ CX, $64
	JB   reduce
	FOLD(X0, X5, X6)
	FOLD(X1, X5, X7)
	FOLD(X2, X5, X8)
	FOLD(X3, X5, X9)
	MOVOU 0(SI), X10
	MOVOU 16(SI), X11
	MOVOU 32(SI), X12
	MOVOU 48(SI), X13
	PXOR  X10, X0
	PXOR  X11, X1
	PXOR  X12, X2
	PXOR  X13, X3
	ADDQ  $64, SI
	SUBQ  $64, CX
	JMP   loop64

reduce:
	// Four lanes into one: each lane is 128 bits ahead of the next.
	MOVOU 16(DX), X5
	FOLD(X0, X5, X6)
	PXOR  X0, X1
	FOLD(X1, X5, X6)
	PXOR  X1, X2
	FOLD(X2, X5, X6)
	PXOR  X2, X3
	MOVOU X3, 0(DI)
	RET
