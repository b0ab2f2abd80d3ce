//go:build !unix

package grpcplugin

import "os"

// mapFile reads the file at path (no mmap on this platform).
func mapFile(path string) ([]byte, func() error, error) {
	b, err := os.ReadFile(path)
	return b, func() error { return nil }, err
}
