package jinja2

import (
	"strings"
	"unicode"
)

// wordwrap is Jinja2's wordwrap filter: Python's textwrap.wrap (with
// expand_tabs and replace_whitespace off) applied to each line of s, the
// lines joined with wrapstring.
func wordwrap(s string, width int, breakLong, breakHyphens bool, wrapstring string) string {
	var out []string
	for _, line := range splitLines(s) {
		out = append(out, strings.Join(textwrap(line, width, breakLong, breakHyphens), wrapstring))
	}
	return strings.Join(out, wrapstring)
}

// splitLines is str.splitlines() without the line ends.
func splitLines(s string) []string {
	var out []string
	for s != "" {
		i := strings.IndexAny(s, "\n\r\v\f\x1c\x1d\x1e\u0085\u2028\u2029")
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i])
		n := len(string([]rune(s[i:])[0]))
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			n = 2
		}
		s = s[i+n:]
	}
	return out
}

// textwrap's whitespace is ASCII only.
func twSpace(r rune) bool { return strings.ContainsRune("\t\n\v\f\r ", r) }

func twLetter(r rune) bool { return unicode.IsLetter(r) } // [^\d\W]

func twWordPunct(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || strings.ContainsRune("!\"'&.,?", r)
}

func twWordChar(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }

// twChunks splits text as textwrap's wordsep_re (or wordsep_simple_re
// without hyphen breaking) does.
func twChunks(text string, hyphens bool) []string {
	rs := []rune(text)
	n := len(rs)
	at := func(i int) rune {
		if i < 0 || i >= n {
			return -1
		}
		return rs[i]
	}
	emDashAhead := func(i int) bool { // (?=-{2,}\w) at i
		j := i
		for j < n && rs[j] == '-' {
			j++
		}
		return j-i >= 2 && j < n && twWordChar(rs[j])
	}
	var chunks []string
	i := 0
	for i < n {
		start := i
		switch {
		case twSpace(rs[i]):
			for i < n && twSpace(rs[i]) {
				i++
			}
		case !hyphens:
			for i < n && !twSpace(rs[i]) {
				i++
			}
		case rs[i] == '-' && i > 0 && twWordPunct(rs[i-1]) && emDashAhead(i):
			for i < n && rs[i] == '-' {
				i++
			}
		default:
			// Lazy run of non-space characters, ended by a breakable
			// hyphen, the end of the word or an em-dash.
			i++
			for {
				if i >= n || twSpace(rs[i]) {
					break
				}
				if i > 0 && twWordPunct(at(i-1)) && emDashAhead(i) {
					break
				}
				if rs[i] == '-' {
					// A hyphen inside a word ("well-known") ends a chunk.
					lb := (twLetter(at(i-2)) && twLetter(at(i-1))) ||
						(twLetter(at(i-3)) && at(i-2) == '-' && twLetter(at(i-1)))
					la := twLetter(at(i+1)) && (twLetter(at(i+2)) || (at(i+2) == '-' && twLetter(at(i+3))))
					if lb && la {
						i++
						break
					}
				}
				i++
			}
		}
		chunks = append(chunks, string(rs[start:i]))
	}
	return chunks
}

// textwrap is textwrap.wrap(text, width, expand_tabs=False,
// replace_whitespace=False, break_long_words, break_on_hyphens).
func textwrap(text string, width int, breakLong, hyphens bool) []string {
	chunks := twChunks(text, hyphens)
	// Reverse so that the next chunk is the last element.
	for i, j := 0, len(chunks)-1; i < j; i, j = i+1, j-1 {
		chunks[i], chunks[j] = chunks[j], chunks[i]
	}
	rlen := func(s string) int { return len([]rune(s)) }
	var lines []string
	for len(chunks) > 0 {
		var cur []string
		curLen := 0
		if strings.TrimFunc(chunks[len(chunks)-1], twSpace) == "" && len(lines) > 0 {
			chunks = chunks[:len(chunks)-1]
		}
		for len(chunks) > 0 {
			l := rlen(chunks[len(chunks)-1])
			if curLen+l > width {
				break
			}
			cur = append(cur, chunks[len(chunks)-1])
			chunks = chunks[:len(chunks)-1]
			curLen += l
		}
		if len(chunks) > 0 && rlen(chunks[len(chunks)-1]) > width {
			// _handle_long_word
			spaceLeft := 1
			if width >= 1 {
				spaceLeft = width - curLen
			}
			if breakLong {
				chunk := []rune(chunks[len(chunks)-1])
				end := spaceLeft
				if hyphens && len(chunk) > spaceLeft {
					if h := strings.LastIndex(string(chunk[:spaceLeft]), "-"); h > 0 {
						hr := len([]rune(string(chunk[:spaceLeft])[:h]))
						if strings.Trim(string(chunk[:hr]), "-") != "" {
							end = hr + 1
						}
					}
				}
				cur = append(cur, string(chunk[:end]))
				chunks[len(chunks)-1] = string(chunk[end:])
			} else if len(cur) == 0 {
				cur = append(cur, chunks[len(chunks)-1])
				chunks = chunks[:len(chunks)-1]
			}
		}
		if len(cur) > 0 && strings.TrimFunc(cur[len(cur)-1], twSpace) == "" {
			cur = cur[:len(cur)-1]
		}
		if len(cur) > 0 {
			lines = append(lines, strings.Join(cur, ""))
		}
	}
	return lines
}
