package store

import "strings"

// Capability is one thing a backend can do. A backend declares its set with
// Backend.Capabilities; Store refuses calls that need an undeclared
// capability with ErrNotSupported before the backend sees them.
//
// Capabilities say what is semantically supported. Optional interfaces
// (Copier, Mover, …) are only faster ways of doing supported things.
type Capability uint32

// The capabilities.
const (
	// CapRead: files can be read as streams.
	CapRead Capability = 1 << iota
	// CapRangeRead: reads can start at an offset and stop after a length,
	// which is what seekable reads (io.ReaderAt) are made of.
	CapRangeRead
	// CapWrite: files can be created and replaced.
	CapWrite
	// CapAtomicWrite: a written file becomes visible whole at Commit, never
	// in part; an aborted write leaves no trace.
	CapAtomicWrite
	// CapList: folders can be listed (and so globbed and summed up).
	CapList
	// CapDelete: files and folders can be deleted.
	CapDelete
	// CapServerSideCopy: Copy runs inside the backend without streaming the
	// bytes through this process.
	CapServerSideCopy
	// CapAtomicMove: Move within the backend is one atomic rename.
	CapAtomicMove
	// CapRealFolders: folders exist on their own (a filesystem), rather than
	// as shared prefixes of file names (an object store); an empty folder
	// can exist.
	CapRealFolders
	// CapModTime: Stat reports modification times.
	CapModTime
	// CapETag: Stat reports an ETag or checksum that changes with the content.
	CapETag
)

var capNames = []struct {
	c    Capability
	name string
}{
	{CapRead, "read"}, {CapRangeRead, "range-read"}, {CapWrite, "write"},
	{CapAtomicWrite, "atomic-write"}, {CapList, "list"}, {CapDelete, "delete"},
	{CapServerSideCopy, "server-side-copy"}, {CapAtomicMove, "atomic-move"},
	{CapRealFolders, "real-folders"}, {CapModTime, "mod-time"}, {CapETag, "etag"},
}

// AllCapabilities lists every defined capability, one bit each.
func AllCapabilities() []Capability {
	out := make([]Capability, len(capNames))
	for i, n := range capNames {
		out[i] = n.c
	}
	return out
}

// Capabilities is a set of Capability bits.
type Capabilities = Capability

// Has reports whether every capability in want is in c.
func (c Capability) Has(want Capability) bool { return c&want == want }

// String lists the capabilities by name, comma-separated.
func (c Capability) String() string {
	var names []string
	for _, n := range capNames {
		if c&n.c != 0 {
			names = append(names, n.name)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ",")
}
