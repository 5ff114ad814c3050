package dict

import (
	"syscall"
	"unsafe"
)

// hugeTableBytes is the bucket array size from which a table asks for transparent huge
// pages.
const hugeTableBytes = 4 << 20

// adviseHuge asks the kernel to back a big bucket array with transparent huge pages
// (madvise MADV_HUGEPAGE; effective where THP is "madvise" or "always"). A probe into a
// table of millions of buckets lands on a random page: with 4 KiB pages nearly every
// probe also misses the TLB, and the page walk costs about as much as the miss itself.
// The array is still untouched (Go hands out large allocations zeroed by the kernel), so
// its first faults take huge pages, each zeroing 2 MiB while the faulting thread waits:
// only tables that a loader pre-sizes ask (Dict.Expand). Only a hint: any error is
// ignored.
func adviseHuge(p unsafe.Pointer, n uintptr) {
	if n < hugeTableBytes {
		return
	}
	start := uintptr(p) &^ 4095
	end := (uintptr(p) + n + 4095) &^ 4095
	_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, start, end-start, 14 /* MADV_HUGEPAGE */)
}
