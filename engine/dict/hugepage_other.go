//go:build !linux

package dict

import "unsafe"

// adviseHuge is a no-op where transparent huge pages are not a madvise away.
func adviseHuge(p unsafe.Pointer, n uintptr) {}
