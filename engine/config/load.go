package config

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// FileError is a fatal configuration error, as loadServerConfigFromString reports it.
type FileError struct {
	// Line is the 1-based line number in the text being parsed (0 for errors found
	// after the last line, such as the logfile or cluster checks).
	Line int
	// Text is the offending line, trimmed as Redis trims it.
	Text string
	// Msg is Redis's message, e.g. "Bad directive or wrong number of arguments".
	Msg string
}

func (e *FileError) Error() string {
	if e.Line == 0 {
		return "config: " + e.Msg
	}
	return fmt.Sprintf("config: line %d: '%s': %s", e.Line, e.Text, e.Msg)
}

// Report is the exact text redis-server prints on standard error before exiting.
func (e *FileError) Report() string {
	var b strings.Builder
	b.WriteString("\n*** FATAL CONFIG FILE ERROR (Redis " + Version + ") ***\n")
	if e.Line > 0 {
		fmt.Fprintf(&b, "Reading the configuration file, at line %d\n", e.Line)
		b.WriteString(">>> '" + e.Text + "'\n")
	}
	b.WriteString(e.Msg + "\n")
	return b.String()
}

// OpenError is redis-server's "can't open config file" failure.
type OpenError struct {
	Path string
	Err  error
}

func (e *OpenError) Error() string {
	return fmt.Sprintf("Fatal error, can't open config file '%s': %s", e.Path, Strerror(e.Err))
}

func (e *OpenError) Unwrap() error { return e.Err }

// maxConfigBytes bounds what one configuration file (or the whole input) may hold.
const maxConfigBytes = 64 << 20

const maxIncludeDepth = 32

var deprecated = map[string]bool{"list-max-ziplist-entries": true, "list-max-ziplist-value": true, "lua-replicate-commands": true}

// LoadString parses configuration text as redis-server does (loadServerConfigFromString):
// one directive per line, sdssplitargs quoting, '#' comments, include, the deprecated
// directives Redis ignores, then the post-load checks. The first error stops it and is
// a *FileError (or an *OpenError from an include). Directives applied before the error
// keep their new values, as Redis would exit anyway.
func (c *Config) LoadString(text string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.loadString(text)
}

func (c *Config) loadString(text string) error {
	if i := strings.IndexByte(text, 0); i >= 0 {
		text = text[:i]
	}
	c.readingConfigFile = true
	lines := strings.Split(text, "\n")
	fail := func(i int, msg string) error {
		c.readingConfigFile = false
		return &FileError{Line: i + 1, Text: trim(lines[i], " \t\r\n"), Msg: msg}
	}
	for i := range lines {
		line := trim(lines[i], " \t\r\n")
		if line == "" || line[0] == '#' {
			continue
		}
		argv, err := SplitArgs(line)
		if err != nil {
			return fail(i, "Unbalanced quotes in configuration line")
		}
		if len(argv) == 0 {
			continue
		}
		argv[0] = toLowerASCII(argv[0])
		if e := lookup(argv[0]); e != nil {
			if e.d.Flags&FlagMultiArg == 0 && len(argv) != 2 {
				return fail(i, "wrong number of arguments")
			}
			vals := argv[1:]
			if e.d.Flags&FlagMultiArg != 0 && len(argv) == 2 && argv[1] != "" {
				// A multi-argument directive given as one argument ("save '900 1'",
				// --save "900 1") is split as a line is (an empty one stays: save "").
				split, err := SplitArgs(argv[1])
				if err != nil {
					return fail(i, "Unbalanced quotes in configuration line")
				}
				vals = split
			}
			if res, msg := c.setDirective(e.d, vals); res == 0 {
				return fail(i, msg)
			}
			continue
		}
		if deprecated[argv[0]] && len(argv) == 2 {
			continue
		}
		switch {
		case argv[0] == "include" && len(argv) == 2:
			if err := c.include(argv[1]); err != nil {
				return err
			}
		case argv[0] == "rename-command" && len(argv) == 3,
			argv[0] == "user" && len(argv) >= 2,
			argv[0] == "loadmodule" && len(argv) >= 2:
			h := c.handlers[argv[0]]
			if h == nil {
				return fail(i, argv[0]+" is not supported by this server")
			}
			if err := h(argv[1:]); err != nil {
				return fail(i, err.Error())
			}
		case strings.IndexByte(argv[0], '.') >= 0:
			if len(argv) != 2 {
				return fail(i, "Module config specified without value")
			}
			c.moduleConfigs = append(c.moduleConfigs, [2]string{argv[0], argv[1]})
		case argv[0] == "sentinel":
			if len(argv) != 1 {
				return fail(i, "sentinel directive while not in sentinel mode")
			}
		default:
			return fail(i, "Bad directive or wrong number of arguments")
		}
	}
	if lf := c.strp(idxLogfile); lf != nil && *lf != "" && !c.sandbox {
		f, err := os.OpenFile(c.resolve(*lf), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o666)
		if err != nil {
			c.readingConfigFile = false
			return &FileError{Msg: "Can't open the log file: " + Strerror(err)}
		}
		_ = f.Close()
	}
	if c.slots[idxClusterEnabled].num.Load() != 0 && c.replicaof.Load() != nil {
		c.readingConfigFile = false
		return &FileError{Msg: "replicaof directive not allowed in cluster mode"}
	}
	c.clampHz()
	c.readingConfigFile = false
	return nil
}

// include is loadServerConfig(path, 0, NULL) called from a config line: a pattern with
// * ? [ loads every match (none is fine), a plain path must open. Relative paths are
// relative to `dir`, since Redis has chdir'ed there.
func (c *Config) include(path string) error {
	if c.sandbox {
		return nil
	}
	if c.includeDepth >= maxIncludeDepth {
		return &OpenError{Path: path, Err: fmt.Errorf("include nested more than %d levels", maxIncludeDepth)}
	}
	var text bytes.Buffer
	if strings.ContainsAny(path, "*?[") {
		matches, err := filepath.Glob(c.resolve(path))
		if err == nil {
			for _, m := range matches {
				if err := readConfigFile(m, &text); err != nil {
					return err
				}
			}
		}
	} else if err := readConfigFile(c.resolve(path), &text); err != nil {
		return &OpenError{Path: path, Err: unwrapOpen(err)}
	}
	c.includeDepth++
	defer func() { c.includeDepth-- }()
	return c.loadString(text.String())
}

func unwrapOpen(err error) error {
	if oe, ok := err.(*OpenError); ok {
		return oe.Err
	}
	return err
}

func readConfigFile(path string, dst *bytes.Buffer) error {
	f, err := os.Open(path)
	if err != nil {
		return &OpenError{Path: path, Err: err}
	}
	defer f.Close()
	n, err := io.Copy(dst, io.LimitReader(f, maxConfigBytes+1))
	if err != nil {
		return &OpenError{Path: path, Err: err}
	}
	if n > maxConfigBytes {
		return &OpenError{Path: path, Err: fmt.Errorf("file larger than %d bytes", maxConfigBytes)}
	}
	return nil
}

// LoadFile loads one configuration file (loadServerConfig with no options).
func (c *Config) LoadFile(path string) error {
	return c.LoadServer(path, nil, "")
}

// LoadServer is redis-server's loadServerConfig(filename, stdin, options): the file
// (if path is not ""), then standard input (if stdin is not nil), then "\n" and the
// options built by ParseArgs, parsed as one text so that line numbers match Redis's.
// The path is remembered, absolute, for Rewrite and ConfigFile.
func (c *Config) LoadServer(path string, stdin io.Reader, options string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var text bytes.Buffer
	if path != "" {
		abs, err := filepath.Abs(path)
		if err == nil {
			c.configFile = abs
		}
		if strings.ContainsAny(path, "*?[") {
			matches, _ := filepath.Glob(path)
			for _, m := range matches {
				if err := readConfigFile(m, &text); err != nil {
					return err
				}
			}
		} else if err := readConfigFile(path, &text); err != nil {
			return err
		}
	}
	if stdin != nil {
		if _, err := io.Copy(&text, io.LimitReader(stdin, maxConfigBytes)); err != nil {
			return fmt.Errorf("config: reading standard input: %w", err)
		}
	}
	text.WriteString("\n")
	text.WriteString(options)
	return c.loadString(text.String())
}

// Args is what redis-server's main() takes from its command line.
type Args struct {
	ConfigFile string // the first argument when it does not start with '-'
	FromStdin  bool   // a lone "-" as first or last argument
	Options    string // "--name value ..." turned into configuration lines
}

// ParseArgs turns redis-server's command-line arguments (without the program name)
// into the config file, stdin flag and option lines, exactly as main() does: "--port
// 7000 --maxmemory 1gb" becomes "port \"7000\" \nmaxmemory \"1gb\" ". --version, --help
// and the like are the caller's business.
func ParseArgs(argv []string) Args {
	var a Args
	var opts strings.Builder
	j := 0
	if len(argv) > 0 && !strings.HasPrefix(argv[0], "-") {
		a.ConfigFile = argv[0]
		j = 1
	}
	handled := true
	last := len(argv) - 1
	for ; j < len(argv); j++ {
		arg := argv[j]
		switch {
		case arg == "-" && (j == 0 || j == last):
			a.FromStdin = true
		case handled && strings.HasPrefix(arg, "--"):
			if opts.Len() > 0 {
				opts.WriteString("\n")
			}
			opts.WriteString(arg[2:])
			opts.WriteString(" ")
			parts, _ := SplitArgs(arg)
			if len(parts) == 1 {
				handled = false
				nextIsOpt := j != last && strings.HasPrefix(argv[j+1], "--")
				switch {
				case nextIsOpt && strings.EqualFold(arg, "--save"):
					opts.WriteString(`""`)
					handled = true
				case j == last && strings.EqualFold(arg, "--save"):
					opts.WriteString(`""`)
				case nextIsOpt && strings.EqualFold(arg, "--sentinel"):
					handled = true
				}
			} else {
				handled = true
			}
		default:
			opts.WriteString(Repr(arg))
			opts.WriteString(" ")
			handled = true
		}
	}
	a.Options = opts.String()
	return a
}
