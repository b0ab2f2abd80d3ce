// Package tempname names the temporary files that filesystem-like backends
// (local disk, SFTP) write beside a target and rename over it at commit:
// "." + name + ".tmp-" + 16 lower-case hex digits, hidden, recognisable,
// and cut to fit a file name's length limit.
package tempname

import (
	"fmt"
	"math/rand/v2"
	"unicode/utf8"
)

// Mark separates the target's name from the random suffix.
const Mark = ".tmp-"

// MaxNameLen is the longest file name New returns, in bytes: NAME_MAX of
// common filesystems.
const MaxNameLen = 255

// randLen is the length of the random hex suffix.
const randLen = 16

// New returns a fresh temporary name for a file called name, with name cut
// (at a character boundary) so the result fits MaxNameLen.
func New(name string) string {
	if limit := MaxNameLen - 1 - len(Mark) - randLen; len(name) > limit {
		i := limit
		for i > 0 && !utf8.RuneStart(name[i]) {
			i--
		}
		name = name[:i]
	}
	return fmt.Sprintf(".%s%s%0*x", name, Mark, randLen, rand.Uint64())
}

// Is reports whether name has the pattern New makes; backends refuse such
// names for user files and hide them from listings.
func Is(name string) bool {
	n := len(name)
	if n < 2+len(Mark)+randLen || name[0] != '.' {
		return false
	}
	if name[n-randLen-len(Mark):n-randLen] != Mark {
		return false
	}
	for _, c := range []byte(name[n-randLen:]) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
