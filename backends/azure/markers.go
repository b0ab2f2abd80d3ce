package azure

import (
	"strings"
)

// folderMarkerKey is the metadata key of a directory marker blob: a blob
// of zero bytes with hdi_isfolder=true, which stands for a folder. Accounts
// with a hierarchical namespace (ADLS Gen2) show their directories that
// way through the blob endpoint, and Hadoop's WASB driver (Spark, Hive)
// writes them on flat accounts too.
const folderMarkerKey = "hdi_isfolder"

// isMarker reports whether blob metadata marks a directory. Keys come
// lowercase from listings and canonicalized ("Hdi_isfolder") from
// response headers.
func isMarker(md map[string]*string) bool {
	for k, v := range md {
		if strings.EqualFold(k, folderMarkerKey) && v != nil && strings.EqualFold(*v, "true") {
			return true
		}
	}
	return false
}
