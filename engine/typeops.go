package engine

// TypeOps is what a family package tells the core about the values it owns, so generic
// commands (COPY, MEMORY USAGE, DEBUG OBJECT, DUMP, the analyzers) work on every type
// without knowing its structures.
type TypeOps struct {
	// MemoryUsage is Redis 7.0's objectComputeSize for the value (not the key, not the
	// dictEntry); samples is MEMORY USAGE's SAMPLES (0 = all elements).
	MemoryUsage func(e *Engine, o *Object, samples int) int
	// Dup returns a deep copy (COPY).
	Dup func(o *Object) Object
	// Len is the number of elements (1 for strings).
	Len func(o *Object) int
}

var typeOps [TypeStream + 1]*TypeOps

// RegisterType installs a family's operations. Family packages call it from init.
func RegisterType(t Type, ops *TypeOps) { typeOps[t] = ops }

// OpsFor returns the operations of a type, or nil when no family registered it.
func OpsFor(t Type) *TypeOps { return typeOps[t] }

// MemoryUsage is what MEMORY USAGE reports for a key holding o.
func (e *Engine) MemoryUsage(key string, o *Object, samples int) int {
	ops := typeOps[o.typ]
	if ops == nil || ops.MemoryUsage == nil {
		return 0
	}
	return ops.MemoryUsage(e, o, samples) + memKeyOverhead(len(key))
}
