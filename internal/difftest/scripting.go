package difftest

// Scripting commands are not generated at random: a random body is a Lua compile error
// whose text differs between Lua 5.1 and gopher-lua (position format, token names), and a
// random library or payload exercises only those error paths. They are covered by the
// written "scripting" group of test/diff (scripting_test.go) and by engine/tscript's
// differential tests.
func init() {
	const why = "random Lua source only reaches compile errors, whose texts differ between Lua 5.1 and gopher-lua (written: scripting group)"
	Exclusions = append(Exclusions,
		Exclusion{"eval", why},
		Exclusion{"evalsha", why + "; SHA1s of random bodies are never loaded"},
		Exclusion{"eval_ro", why},
		Exclusion{"evalsha_ro", why + "; SHA1s of random bodies are never loaded"},
		Exclusion{"fcall", "needs a loaded library (written: scripting group)"},
		Exclusion{"fcall_ro", "needs a loaded library (written: scripting group)"},
		Exclusion{"script|load", why},
		Exclusion{"function|load", why},
		Exclusion{"function|restore", "random payloads only reach the checksum error (written: scripting group)"},
	)
}
