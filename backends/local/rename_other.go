//go:build !linux

package local

import "os"

// renameNoReplace reports that this platform has no rename-without-replace
// that Go exposes portably; the caller falls back to link(2) + unlink.
func renameNoReplace(_ *os.File, _ string, _ *os.File, _ string) error {
	return errNoReplaceUnsupported
}
