//go:build !linux

package sftp

import "errors"

// descendants is only implemented on Linux (it reads /proc).
func descendants(int) ([]int, error) {
	return nil, errors.New("testserver/sftp: DropConnections needs Linux's /proc")
}

func kill(int) {}

func alive(int) bool { return false }
