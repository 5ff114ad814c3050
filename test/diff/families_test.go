package diff_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine/cmdspec"
	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/internal/difftest"
)

// testFamilies runs the families' own differential scripts over TCP through the
// server: every raw string literal of engine/*/diff*_test.go whose lines are commands
// (by Redis 7.0's command table) is run, in file order, on fresh servers per package.
// They are read where they live, so the harness follows the families as they change;
// a file that does not parse is logged and skipped.
func testFamilies(t *testing.T) {
	root, err := difftest.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(root, "engine", "*", "diff*_test.go"))
	byPkg := map[string][]string{}
	for _, f := range files {
		pkg := filepath.Base(filepath.Dir(f))
		byPkg[pkg] = append(byPkg[pkg], f)
	}
	var pkgs []string
	for p := range byPkg {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	for _, pkg := range pkgs {
		t.Run(pkg, func(t *testing.T) {
			var scripts []string
			for _, f := range byPkg[pkg] {
				s, err := harvest(f)
				if err != nil {
					t.Logf("skipping %s: %v", f, err)
					continue
				}
				scripts = append(scripts, s...)
			}
			if len(scripts) == 0 {
				t.Skipf("no scripts in engine/%s", pkg)
			}
			p := startPair(t, difftest.SourceWritten)
			for _, s := range scripts {
				p.Run(t, s)
			}
			p.Run(t, "FLUSHALL")
			t.Logf("engine/%s: %d scripts; lines skipped because redisctl lacks the command: %v",
				pkg, len(scripts), p.Skipped)
		})
	}
}

// harvest returns the script-like raw string literals of a Go file, in order.
func harvest(path string) ([]string, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := parser.ParseFile(token.NewFileSet(), path, src, 0)
	if err != nil {
		return nil, err
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		lit, ok := n.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING || !strings.HasPrefix(lit.Value, "`") {
			return true
		}
		s, err := strconv.Unquote(lit.Value)
		if err == nil && isScript(s) {
			out = append(out, keepCommands(s))
		}
		return true
	})
	return out, nil
}

// isScript: at least two lines, and most non-comment lines start with a command name.
func isScript(s string) bool {
	total, cmds := 0, 0
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		total++
		if isCommandLine(line) {
			cmds++
		}
	}
	return total >= 2 && cmds*10 >= total*8
}

func isCommandLine(line string) bool {
	word, _, _ := strings.Cut(line, " ")
	return cmdspec.Full().Lookup([]byte(word)) != nil
}

// keepCommands drops the lines that are not commands, and the commands that would stop
// the server or block.
func keepCommands(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		t := strings.TrimSpace(line)
		if !isCommandLine(t) {
			continue
		}
		if _, err := config.SplitArgs(t); err != nil {
			continue // a fragment the Go code completes (PFADD h " + ...)
		}
		word, _, _ := strings.Cut(strings.ToLower(t), " ")
		switch word {
		case "shutdown", "monitor", "subscribe", "psubscribe", "ssubscribe", "debug":
			if word != "debug" || !safeDebug(t) {
				continue
			}
		}
		b.WriteString(t)
		b.WriteByte('\n')
	}
	return b.String()
}

func safeDebug(line string) bool {
	f := strings.Fields(strings.ToLower(line))
	if len(f) < 2 {
		return true
	}
	switch f[1] {
	case "sleep", "reload", "restart", "crash-and-recover", "segfault", "panic", "oom", "assert",
		"loadaof", "jmap", "populate":
		return false
	}
	return true
}
