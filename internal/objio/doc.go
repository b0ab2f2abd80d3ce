// Package objio holds the transfer machinery the object-store backends
// (backends/s3, backends/azure) share, written over plain functions so
// that it knows nothing of any SDK:
//
//   - ParallelReader streams a byte range in order while the following
//     chunks download concurrently, over a FetchFunc;
//   - ReaderAt serves io.ReaderAt over a FetchFunc, splitting large reads
//     into concurrent chunk fetches and serving small ones from a
//     BlockCache;
//   - BlockCache keeps the last few blocks of a file, each loaded once;
//   - PartBuffer and Uploads buffer written data into parts and send them
//     with a bounded number of concurrent uploads.
//
// The backends keep their requests, error classification and messages;
// errors the machinery itself must produce (a read after Close, a negative
// offset) are supplied by the backend.
package objio
