// Package hashcfg reads and updates buildout.hash.cfg files, the SlapOS
// convention that records the md5sum of each template of a software release
// (spec slapos.md §5).
//
// Unlike SlapOS's update-hash script, which regenerates the file and moves
// every md5sum line to the end of its section, Rewrite keeps every byte of
// the file except the md5 values it changes (spec api.md, "MD5 helper"):
// comments, order, spacing and line endings stay as they were. A section
// without an md5sum line gets one appended after its last non-blank line.
package hashcfg

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// An Entry is one section of a hash file.
type Entry struct {
	Section  string // section name
	Line     int    // 1-based line of the section header
	Filename string // the filename or _update_hash_filename_ value, else the section name
	MD5      string // the recorded md5sum value, "" when there is none
	HasMD5   bool   // whether the section has an md5sum line

	md5Lines     []int // 0-based indices of the md5sum lines
	lastNonBlank int   // 0-based index of the last non-blank line of the section
}

// A Change reports an md5sum that Rewrite changed or added.
type Change struct {
	Section  string `json:"section"`
	Filename string `json:"filename"`
	Old      string `json:"old"` // "" when the md5sum line was added
	New      string `json:"new"`
}

// An Error reports a malformed line of a hash file.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// filenameKeys are the keys naming the hashed file (update-hash FILENAME_KEY_LIST).
var filenameKeys = map[string]bool{"filename": true, "_update_hash_filename_": true}

// splitLines splits src after each '\n', keeping the line endings.
func splitLines(src []byte) [][]byte {
	var lines [][]byte
	for len(src) > 0 {
		i := bytes.IndexByte(src, '\n')
		if i < 0 {
			lines = append(lines, src)
			break
		}
		lines = append(lines, src[:i+1])
		src = src[i+1:]
	}
	return lines
}

// Parse returns the sections of the hash file src; name is used in error
// messages. The rules are those of update-hash: '#' lines are comments,
// '[' lines start a section, "key = value" lines must be filename,
// _update_hash_filename_ or md5sum, and other lines are kept as they are.
func Parse(name string, src []byte) ([]Entry, error) {
	entries, _, err := parse(name, src)
	return entries, err
}

func parse(name string, src []byte) ([]Entry, [][]byte, error) {
	lines := splitLines(src)
	var entries []Entry
	var cur *Entry
	for i, raw := range lines {
		line := string(raw)
		switch {
		case strings.HasPrefix(line, "#"):
			// A comment.
		case strings.HasPrefix(line, "["):
			end := strings.IndexByte(line, ']')
			if end < 0 {
				return nil, nil, &Error{name, i + 1, "section header without ']'"}
			}
			sec := line[1:end]
			entries = append(entries, Entry{Section: sec, Line: i + 1, Filename: sec, lastNonBlank: i})
			cur = &entries[len(entries)-1]
			continue
		case strings.Contains(line, "="):
			k, v, _ := strings.Cut(line, "=")
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			if cur == nil {
				return nil, nil, &Error{name, i + 1, fmt.Sprintf("option %q outside of a section", k)}
			}
			switch {
			case filenameKeys[k]:
				cur.Filename = v
			case k == "md5sum":
				cur.MD5, cur.HasMD5 = v, true
				cur.md5Lines = append(cur.md5Lines, i)
			default:
				return nil, nil, &Error{name, i + 1, fmt.Sprintf("unknown key %q in section [%s] (only filename, _update_hash_filename_ and md5sum are allowed)", k, cur.Section)}
			}
		}
		if cur != nil && strings.TrimSpace(line) != "" {
			cur.lastNonBlank = i
		}
	}
	return entries, lines, nil
}

// Sum returns the hex md5 of the file at path.
func Sum(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	s := md5.Sum(b)
	return hex.EncodeToString(s[:]), nil
}

// FilePath returns the path of the file an entry hashes: its Filename,
// '/'-separated and relative to dir, the directory of the hash file.
func FilePath(dir string, e Entry) string {
	return filepath.Join(dir, filepath.FromSlash(e.Filename))
}

// Rewrite returns src with the md5sum of every section set to the md5 of
// its file, resolved relative to dir, and the changes it made. Only md5
// values change; a section without an md5sum line gets "md5sum = <hex>"
// after its last non-blank line. name is used in error messages.
func Rewrite(name string, src []byte, dir string) ([]byte, []Change, error) {
	entries, lines, err := parse(name, src)
	if err != nil {
		return nil, nil, err
	}
	replace := map[int]string{} // line index → new line
	insert := map[int]string{}  // line index → line to add after it
	var changes []Change
	for _, e := range entries {
		sum, err := Sum(FilePath(dir, e))
		if err != nil {
			return nil, nil, &Error{name, e.Line, fmt.Sprintf("section [%s]: %v", e.Section, err)}
		}
		if !e.HasMD5 {
			last := string(lines[e.lastNonBlank])
			eol := lineEnd(last)
			add := "md5sum = " + sum + eol
			if eol == "" { // the section ends the file without a newline
				eol = lineEnd(string(lines[e.Line-1]))
				if eol == "" {
					eol = "\n"
				}
				add = eol + "md5sum = " + sum
			}
			insert[e.lastNonBlank] = add
			changes = append(changes, Change{e.Section, e.Filename, "", sum})
			continue
		}
		for _, i := range e.md5Lines {
			old, line := setValue(string(lines[i]), sum)
			if old != sum {
				replace[i] = line
				changes = append(changes, Change{e.Section, e.Filename, old, sum})
			}
		}
	}
	var out bytes.Buffer
	out.Grow(len(src) + 64)
	for i, l := range lines {
		if r, ok := replace[i]; ok {
			out.WriteString(r)
		} else {
			out.Write(l)
		}
		out.WriteString(insert[i])
	}
	return out.Bytes(), changes, nil
}

// lineEnd returns the trailing "\n", "\r\n" or "" of line.
func lineEnd(line string) string {
	if strings.HasSuffix(line, "\r\n") {
		return "\r\n"
	}
	if strings.HasSuffix(line, "\n") {
		return "\n"
	}
	return ""
}

// setValue returns the value of the "key = value" line and the line with
// that value replaced by v, keeping the spacing around it.
func setValue(line, v string) (old, out string) {
	eq := strings.IndexByte(line, '=')
	eol := lineEnd(line)
	rest := line[eq+1 : len(line)-len(eol)]
	old = strings.TrimSpace(rest)
	if old == "" {
		return "", line[:eq+1] + " " + v + eol
	}
	start := strings.Index(rest, old)
	return old, line[:eq+1] + rest[:start] + v + rest[start+len(old):] + eol
}

// UpdateFile rewrites the hash file at path with Rewrite, resolving
// filenames relative to its directory, and returns the changes. The file is
// replaced atomically, keeping its mode, and only when a value changed.
func UpdateFile(path string) ([]Change, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out, changes, err := Rewrite(path, src, filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	if bytes.Equal(out, src) {
		return changes, nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(out); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Chmod(fi.Mode().Perm()); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, err
	}
	return changes, nil
}
