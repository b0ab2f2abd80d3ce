// Package zstdcgo makes the Parquet zstd codec of arrow-go
// (github.com/apache/arrow-go/v18/parquet/compress) use libzstd, the C
// library pyarrow uses, instead of the pure-Go github.com/klauspost/compress
// encoder and decoder. Import it for its side effect:
//
//	import _ "github.com/remotestore/remotestore/internal/zstdcgo"
//
// With cgo (CGO_ENABLED=1 and a C compiler) init registers a codec built on
// github.com/DataDog/zstd, which bundles the zstd C sources; it is process
// wide, so every pqarrow reader and writer of the program uses it. Without
// cgo the package is empty and arrow-go's pure-Go codec stays in place.
// Both write standard zstd frames, so files written either way read
// either way and with pyarrow.
//
// Levels are libzstd's (1 fastest … 22; negative levels are faster
// still). arrow-go's compress.DefaultCompressionLevel (-1, "the default")
// means libzstd's default, 3, as it means klauspost's SpeedDefault (≈3) in
// the pure-Go codec.
package zstdcgo

// Enabled reports whether the libzstd codec is registered (the package was
// built with cgo).
const Enabled = enabled
