package engine

// FunctionStore is the function library registry (FUNCTION LOAD …) as the rest of the
// engine and persistence see it. The scripting package implements it and installs it in
// Engine.Functions; it is nil when scripting is not built in. Libraries are part of the
// dataset: an RDB carries each one as a FUNCTION2 record holding its source code.
//
// All methods run under the engine lock.
type FunctionStore interface {
	// LibraryCodes returns the source code of every loaded library, in the order
	// FUNCTION DUMP writes them (Redis walks its libraries dict: any stable order).
	LibraryCodes() [][]byte
	// LoadLibrary compiles and registers a library from its source code (its name comes
	// from the "#!lua name=…" shebang). With replace false an existing library of the same
	// name is an error. The error text is Redis's (e.g. "Library 'x' already exists").
	LoadLibrary(code []byte, replace bool) error
	// FlushLibraries removes every library (FUNCTION FLUSH; DEBUG RELOAD before loading).
	// FLUSHALL does not remove libraries in Redis 7.0.
	FlushLibraries()
}
