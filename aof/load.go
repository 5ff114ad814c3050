package aof

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/rdbobj"
	"github.com/redisctl/redisctl/rdb"
	"github.com/redisctl/redisctl/resp"
)

// Logger receives Redis's log lines (level as engine/config's LogNotice, LogWarning).
type Logger interface {
	Logf(level int, format string, args ...any)
}

type nopLogger struct{}

func (nopLogger) Logf(int, string, ...any) {}

// Log levels used here.
const (
	levelVerbose = config.LogVerbose
	levelNotice  = config.LogNotice
	levelWarning = config.LogWarning
)

// Status is the outcome of loading one file or a whole set (AOF_OK, AOF_NOT_EXIST, ...).
type Status int

// Statuses as aof.c's AOF_* return codes.
const (
	StatusOK Status = iota
	StatusNotExist
	StatusEmpty
	StatusOpenErr
	StatusFailed
	StatusTruncated
)

func (s Status) String() string {
	return [...]string{"ok", "not-exist", "empty", "open-error", "failed", "truncated"}[s]
}

// LoadOptions configure loading.
type LoadOptions struct {
	// LoadTruncated is aof-load-truncated: a short read at the end of the last file
	// truncates it to the last complete command and loading goes on.
	LoadTruncated bool
	// NoTruncate reports a truncation as Redis would but leaves the file as it is
	// (forensics on a copy someone else owns).
	NoTruncate bool
	// SkipUnknownCommands counts commands the engine does not know instead of failing
	// (Redis fails); for offline tools replaying into a partial engine.
	SkipUnknownCommands bool
	// Log receives the log lines; nil discards them.
	Log Logger
	// MaxBulkLen is proto-max-bulk-len (default 512 MB).
	MaxBulkLen int64
}

// LoadStats is what a load did.
type LoadStats struct {
	Commands    int64 // commands executed (MULTI and EXEC included)
	Unknown     int64 // commands skipped with SkipUnknownCommands
	PreambleKey int64 // keys read from RDB preambles / bases
	TotalSize   int64 // bytes of the base and incr files
	BaseSize    int64 // bytes of the base file
	// Truncated is set when a file was truncated (or would have been, with NoTruncate).
	Truncated *TruncatedError
}

// Loader replays AOF files into an engine.
type Loader struct {
	eng   *engine.Engine
	opts  LoadOptions
	log   Logger
	Stats LoadStats
}

// NewLoader returns a loader into eng. The engine must not be used by anyone else while
// a load runs (the server loads before accepting clients), or its lock must be held, and
// it must have no propagator installed (a replayed command must not be written again).
func NewLoader(eng *engine.Engine, opts *LoadOptions) *Loader {
	l := &Loader{eng: eng}
	if opts != nil {
		l.opts = *opts
	}
	l.log = l.opts.Log
	if l.log == nil {
		l.log = nopLogger{}
	}
	return l
}

// LoadFile loads one AOF file as loadSingleAppendOnlyFile: path is the file, name how
// logs call it, oldStyle whether it is the legacy single file (log lines differ).
// It returns the status and, for failures and truncations, an error saying where.
func (l *Loader) LoadFile(path, name string, oldStyle bool) (Status, error) {
	f, err := os.Open(path)
	if err != nil {
		if _, serr := os.Stat(path); serr == nil || !errors.Is(serr, os.ErrNotExist) {
			l.log.Logf(levelWarning, "Fatal error: can't open the append log file %s for reading: %s", name, errText(err))
			return StatusOpenErr, fmt.Errorf("aof: opening %s: %w", name, err)
		}
		l.log.Logf(levelWarning, "The append log file %s doesn't exist: %s", name, errText(err))
		return StatusNotExist, fmt.Errorf("aof: %s: %w", name, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err == nil && fi.Size() == 0 {
		return StatusEmpty, nil
	}
	var size int64
	if fi != nil {
		size = fi.Size()
	}

	// Engine state for the replay: no refusals, a fake client. Propagation must be off
	// (the caller installs its propagator after loading).
	eng := l.eng
	hook := eng.CheckHook
	eng.CheckHook = nil
	var w resp.Writer
	w.Reset(io.Discard)
	c := eng.NewClient(&w)
	c.Flags |= engine.ClientAOF
	c.Authenticated = true
	defer func() {
		eng.FreeClient(c)
		eng.CheckHook = hook
	}()

	br := bufio.NewReaderSize(f, 256<<10)
	var src io.Reader = br
	var base int64
	if HasRDBPreamble(br) {
		if oldStyle {
			l.log.Logf(levelNotice, "Reading RDB preamble from AOF file...")
		} else {
			l.log.Logf(levelNotice, "Reading RDB base file on AOF loading...")
		}
		d := rdb.NewDecoder(br, &rdb.Options{AllowEmptyKeys: true})
		st, err := rdbobj.LoadInto(eng, d, &rdbobj.LoadOptions{KeepExpired: true, SkipFunctions: l.opts.SkipUnknownCommands && eng.Functions == nil})
		if st != nil {
			l.logAux(st.Aux)
		}
		if err == nil {
			err = l.loadFunctions(st.Functions)
		}
		if err != nil {
			if oldStyle {
				l.log.Logf(levelWarning, "Error reading the RDB preamble of the AOF file %s, AOF loading aborted", name)
			} else {
				l.log.Logf(levelWarning, "Error reading the RDB base file %s, AOF loading aborted", name)
			}
			return StatusFailed, fmt.Errorf("aof: %s: RDB part: %w", name, err)
		}
		l.Stats.PreambleKey += st.Keys
		l.log.Logf(levelNotice, "Done loading RDB, keys loaded: %d, keys expired: %d.", st.Keys, st.Expired)
		base = d.InputOffset()
		src = io.MultiReader(bytes.NewReader(append([]byte(nil), d.Buffered()...)), br)
		if oldStyle {
			l.log.Logf(levelNotice, "Reading the remaining AOF tail...")
		}
	}

	var opts []resp.Option
	if l.opts.MaxBulkLen > 0 {
		opts = append(opts, resp.WithMaxBulkLen(l.opts.MaxBulkLen))
	}
	sc := NewScanner(name, src, base, opts...)
	validUpTo, validBeforeMulti := base, base
	table := eng.Table()
	for sc.Next() {
		args := sc.Args()
		if args == nil {
			continue // annotation
		}
		cmd := table.Lookup(args[0])
		if cmd != nil && cmd.Subcommands != nil && len(args) >= 2 && cmd.LookupSub(args[1]) == nil {
			cmd = nil
		}
		if cmd == nil {
			if l.opts.SkipUnknownCommands {
				l.Stats.Unknown++
				validUpTo = sc.End()
				continue
			}
			n := min(len(args[0]), 100)
			l.log.Logf(levelWarning, "Unknown command '%s' reading the append only file %s", args[0][:n], name)
			l.log.Logf(levelWarning, "AOF %s: unknown command at offset %d", name, sc.Offset())
			return StatusFailed, &FormatError{File: name, Offset: sc.Offset(),
				Msg: fmt.Sprintf("unknown command '%s'", args[0][:n])}
		}
		if cmd.Name == "multi" {
			validBeforeMulti = validUpTo
		}
		eng.Exec(c, args)
		w.Reset(io.Discard)
		l.Stats.Commands++
		validUpTo = sc.End()
	}
	err = sc.Err()
	var te *TruncatedError
	var fe *FormatError
	switch {
	case err == nil && c.InMulti():
		l.log.Logf(levelWarning, "Revert incomplete MULTI/EXEC transaction in AOF file %s", name)
		te = &TruncatedError{File: name, LastGood: validBeforeMulti, Size: size, InMulti: true}
	case err == nil:
		return StatusOK, nil
	case errors.As(err, &te):
		if partialAnnotation(f, te.Size, sc.End()) {
			// fgets returns the partial line, which is skipped as an annotation.
			if c.InMulti() {
				l.log.Logf(levelWarning, "Revert incomplete MULTI/EXEC transaction in AOF file %s", name)
				te = &TruncatedError{File: name, LastGood: validBeforeMulti, Size: size, InMulti: true}
				break
			}
			return StatusOK, nil
		}
		te.LastGood = validUpTo
	case errors.As(err, &fe):
		l.log.Logf(levelWarning, "Bad file format reading the append only file %s: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>", name)
		l.log.Logf(levelWarning, "AOF %s: %s at offset %d (the last good command ends at offset %d)", name, fe.Msg, fe.Offset, validUpTo)
		return StatusFailed, err
	default:
		l.log.Logf(levelWarning, "Unrecoverable error reading the append only file %s: %s", name, errText(err))
		return StatusFailed, err
	}
	// uxeof
	if c.InMulti() {
		// The transaction never ran: drop its queue.
		eng.FreeClient(c)
		c = eng.NewClient(&w)
	}
	l.Stats.Truncated = te
	if l.opts.LoadTruncated {
		l.log.Logf(levelWarning, "!!! Warning: short read while loading the AOF file %s!!!", name)
		l.log.Logf(levelWarning, "!!! Truncating the AOF %s at offset %d !!!", name, te.LastGood)
		var terr error
		if !l.opts.NoTruncate {
			terr = os.Truncate(path, te.LastGood)
		}
		if terr != nil {
			l.log.Logf(levelWarning, "Error truncating the AOF file %s: %s", name, errText(terr))
		} else {
			l.log.Logf(levelWarning, "AOF %s loaded anyway because aof-load-truncated is enabled", name)
			return StatusTruncated, te
		}
	}
	l.log.Logf(levelWarning, "Unexpected end of file reading the append only file %s. You can: "+
		"1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. "+
		"2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.", name)
	return StatusFailed, te
}

// logAux logs what rdbLoadRio logs about some AUX fields.
func (l *Loader) logAux(aux []rdb.AuxField) {
	for _, a := range aux {
		switch a.Name {
		case "redis-ver":
			l.log.Logf(levelNotice, "Loading RDB produced by version %s", a.Value)
		case "ctime":
			if ct := atoll([]byte(a.Value)); ct > 0 {
				age := time.Now().Unix() - ct
				if age < 0 {
					age = 0
				}
				l.log.Logf(levelNotice, "RDB age %d seconds", age)
			}
		case "used-mem":
			l.log.Logf(levelNotice, "RDB memory usage when created %.2f Mb", float64(atoll([]byte(a.Value)))/(1024*1024))
		case "aof-base":
			if atoll([]byte(a.Value)) != 0 {
				l.log.Logf(levelNotice, "RDB is base AOF")
			}
		}
	}
}

// partialAnnotation: the bytes from off to size are a '#' line without its "\n" that
// fgets returns whole (shorter than its 1024-byte buffer).
func partialAnnotation(f *os.File, size, off int64) bool {
	n := size - off
	if n <= 0 || n >= 1024 {
		return false
	}
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, off); err != nil {
		return false
	}
	return buf[0] == '#' && bytes.IndexByte(buf, '\n') < 0
}

func (l *Loader) loadFunctions(codes [][]byte) error {
	if len(codes) == 0 {
		return nil
	}
	fs := l.eng.Functions
	if fs == nil {
		if l.opts.SkipUnknownCommands {
			return nil
		}
		return errors.New("the file holds function libraries but scripting is not available")
	}
	for _, code := range codes {
		if err := fs.LoadLibrary(code, false); err != nil {
			return fmt.Errorf("loading a function library: %w", err)
		}
	}
	return nil
}

func errText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// DirConfig names the files of a multi-part AOF.
type DirConfig struct {
	Dir      string // the server's working directory (dir); "" is the current directory
	DirName  string // appenddirname (default "appendonlydir")
	FileName string // appendfilename (default "appendonly.aof")
}

func (c DirConfig) withDefaults() DirConfig {
	if c.DirName == "" {
		c.DirName = "appendonlydir"
	}
	if c.FileName == "" {
		c.FileName = "appendonly.aof"
	}
	return c
}

// Path is the AOF directory's path.
func (c DirConfig) Path() string {
	c = c.withDefaults()
	return filepath.Join(c.Dir, c.DirName)
}

// FilePath is the path of a file of the directory.
func (c DirConfig) FilePath(name string) string { return filepath.Join(c.Path(), name) }

// LegacyPath is the path of the old single-file AOF (appendfilename in dir).
func (c DirConfig) LegacyPath() string {
	c = c.withDefaults()
	return filepath.Join(c.Dir, c.FileName)
}

// LoadManifestFromDisk is aofLoadManifestFromDisk: an empty manifest when the directory
// or the manifest does not exist (logged), the parsed manifest, or a *ManifestError
// (whose LogLines the caller logs before exiting, as Redis).
func LoadManifestFromDisk(cfg DirConfig, log Logger) (*Manifest, error) {
	cfg = cfg.withDefaults()
	if log == nil {
		log = nopLogger{}
	}
	if st, err := os.Stat(cfg.Path()); err != nil || !st.IsDir() {
		log.Logf(levelVerbose, "The AOF directory %s doesn't exist", cfg.DirName)
		return &Manifest{}, nil
	}
	name := ManifestName(cfg.FileName)
	data, err := os.ReadFile(cfg.FilePath(name))
	if errors.Is(err, os.ErrNotExist) {
		log.Logf(levelVerbose, "The AOF manifest file %s doesn't exist", name)
		return &Manifest{}, nil
	}
	if err != nil {
		log.Logf(levelWarning, "Fatal error: can't open the AOF manifest file %s for reading: %s", cfg.FilePath(name), errText(err))
		return nil, fmt.Errorf("aof: reading the manifest: %w", err)
	}
	m, err := ParseManifest(data)
	if err != nil {
		var me *ManifestError
		if errors.As(err, &me) {
			for _, s := range me.LogLines() {
				log.Logf(levelWarning, "%s", s)
			}
		}
		return nil, err
	}
	return m, nil
}

// LoadAll is loadAppendOnlyFiles: it first moves a legacy appendonly.aof into the
// directory when Redis 7.0 would (upgrade), then loads the base and every incr file in
// order. A truncated file other than the last one is fatal. It returns StatusNotExist
// when there is nothing to load, StatusEmpty when every file is empty.
func (l *Loader) LoadAll(cfg DirConfig, m *Manifest) (Status, error) {
	cfg = cfg.withDefaults()
	if fileExists(cfg.LegacyPath()) {
		_, derr := os.Stat(cfg.Path())
		if derr != nil || m.Empty() ||
			(m.Base != nil && len(m.Incrs) == 0 && m.Base.Name == cfg.FileName && !fileExists(cfg.FilePath(cfg.FileName))) {
			if err := UpgradePrepare(cfg, m, l.log); err != nil {
				return StatusFailed, err
			}
		}
	}
	if m.Empty() {
		return StatusNotExist, nil
	}
	files := m.Files()
	var total int64
	for _, fi := range files {
		st, err := os.Stat(cfg.FilePath(fi.Name))
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				l.log.Logf(levelWarning, "The append log file %s doesn't exist: %s", fi.Name, errText(err))
			} else {
				l.log.Logf(levelWarning, "Unable to obtain the AOF file %s length. stat: %s", fi.Name, errText(err))
			}
			return StatusFailed, fmt.Errorf("aof: %s listed in the manifest: %w", fi.Name, err)
		}
		total += st.Size()
	}
	if total == 0 {
		return StatusEmpty, nil
	}
	l.Stats.TotalSize = total
	var ret Status
	for i, fi := range files {
		last := i == len(files)-1
		start := time.Now()
		if fi.Type == TypeBase {
			if st, err := os.Stat(cfg.FilePath(fi.Name)); err == nil {
				l.Stats.BaseSize = st.Size()
			}
		}
		var err error
		ret, err = l.LoadFile(cfg.FilePath(fi.Name), fi.Name, fi.Name == cfg.FileName)
		if ret == StatusOK || (ret == StatusTruncated && last) {
			kind := "incr"
			if fi.Type == TypeBase {
				kind = "base"
			}
			l.log.Logf(levelNotice, "DB loaded from %s file %s: %.3f seconds", kind, fi.Name, time.Since(start).Seconds())
		}
		if ret == StatusEmpty && fi.Type == TypeIncr {
			ret = StatusOK
		}
		if ret == StatusTruncated && !last {
			l.log.Logf(levelWarning, "Fatal error: the truncated file is not the last file")
			return StatusFailed, fmt.Errorf("aof: %s is truncated and is not the last file: %w", fi.Name, err)
		}
		if ret == StatusOpenErr || ret == StatusFailed {
			return ret, err
		}
		if ret == StatusNotExist {
			return StatusFailed, err
		}
	}
	if ret == StatusEmpty {
		ret = StatusOK
	}
	return ret, nil
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// UpgradePrepare is aofUpgradePrepare: it creates the directory, makes the legacy file
// the base (seq 1, its own name), persists the manifest and moves the file in.
func UpgradePrepare(cfg DirConfig, m *Manifest, log Logger) error {
	cfg = cfg.withDefaults()
	if log == nil {
		log = nopLogger{}
	}
	if err := os.MkdirAll(cfg.Path(), 0o755); err != nil {
		log.Logf(levelWarning, "Can't open or create append-only dir %s: %s", cfg.DirName, errText(err))
		return fmt.Errorf("aof: %w", err)
	}
	m.Base = &FileInfo{Name: cfg.FileName, Seq: 1, Type: TypeBase}
	m.CurBaseSeq = 1
	if err := WriteManifest(cfg, m, log); err != nil {
		return err
	}
	dst := cfg.FilePath(cfg.FileName)
	if err := os.Rename(cfg.LegacyPath(), dst); err != nil {
		log.Logf(levelWarning, "Error trying to rename the existing AOF to the AOF directory %s: %s", dst, errText(err))
		return fmt.Errorf("aof: %w", err)
	}
	log.Logf(levelNotice, "Successfully migrated an old-style AOF into the AOF directory %s.", cfg.DirName)
	return nil
}

// WriteManifest is writeAofManifestFile: the manifest goes to a temporary file, is
// fsynced, renamed over the manifest, and the directory is fsynced.
func WriteManifest(cfg DirConfig, m *Manifest, log Logger) error {
	cfg = cfg.withDefaults()
	if log == nil {
		log = nopLogger{}
	}
	name := ManifestName(cfg.FileName)
	tmp := cfg.FilePath(TempManifestName(cfg.FileName))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		log.Logf(levelWarning, "Can't open the AOF manifest file %s: %s", TempManifestName(cfg.FileName), errText(err))
		return fmt.Errorf("aof: writing the manifest: %w", err)
	}
	_, err = f.Write(m.Bytes())
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		log.Logf(levelWarning, "Error trying to write the temporary AOF manifest file %s: %s", TempManifestName(cfg.FileName), errText(err))
		os.Remove(tmp)
		return fmt.Errorf("aof: writing the manifest: %w", err)
	}
	if err := os.Rename(tmp, cfg.FilePath(name)); err != nil {
		log.Logf(levelWarning, "Error trying to rename the temporary AOF manifest file %s into %s: %s", TempManifestName(cfg.FileName), name, errText(err))
		return fmt.Errorf("aof: writing the manifest: %w", err)
	}
	return SyncDir(cfg.Path())
}

// SyncDir fsyncs a directory (fsyncFileDir).
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("aof: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("aof: fsync of %s: %w", dir, err)
	}
	return nil
}
