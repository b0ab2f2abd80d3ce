package objio

import (
	"context"
	"strconv"
	"strings"
)

// FetchFunc fills dst with the bytes of an object starting at off, all of
// them or an error. It is called from several goroutines at once.
type FetchFunc func(ctx context.Context, dst []byte, off int64) error

// TotalSize parses the total size from a Content-Range header value
// "bytes a-b/size", reporting false when there is none.
func TotalSize(contentRange string) (int64, bool) {
	i := strings.LastIndexByte(contentRange, '/')
	if i < 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(contentRange[i+1:], 10, 64)
	return n, err == nil
}
