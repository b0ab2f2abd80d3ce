//go:build !cgo

package zstdcgo

// Without cgo arrow-go's pure-Go zstd codec stays registered.
const enabled = false
