package objio

import "io"

// firstBufferSize is the size of the first part buffer when the data's
// size is unknown, and the least it grows by.
const firstBufferSize = 64 << 10

// FirstBuffer returns the buffer an upload starts with: as large as the
// announced size (sizeHint, 0 when unknown) up to one part, or small when
// the size is unknown. WriteParts and ReadParts grow it toward one part as
// data comes, so that small files cost little memory.
func FirstBuffer(sizeHint, partSize int64) []byte {
	first := int64(firstBufferSize)
	if sizeHint > 0 {
		first = min(sizeHint, partSize)
	}
	return make([]byte, 0, first)
}

// WriteParts copies p into *buf, calling flush whenever *buf holds a full
// part (partSize bytes) and more data follows; flush sends *buf and
// replaces it with an empty buffer of capacity partSize. A file of exactly
// one part is thus never flushed.
func WriteParts(buf *[]byte, partSize int64, p []byte, flush func() error) (int, error) {
	n := 0
	for len(p) > 0 {
		if int64(len(*buf)) == partSize {
			if err := flush(); err != nil {
				return n, err
			}
		}
		if len(*buf) == cap(*buf) {
			grow(buf, partSize)
		}
		b := *buf
		c := copy(b[len(b):cap(b)], p)
		*buf = b[:len(b)+c]
		p = p[c:]
		n += c
	}
	return n, nil
}

// ReadParts reads r into *buf until EOF, straight into the part buffers
// (one copy less than WriteParts from an intermediate buffer), calling
// flush as WriteParts does: only once more data is known to come.
func ReadParts(buf *[]byte, partSize int64, r io.Reader, flush func() error) (int64, error) {
	var total int64
	for {
		if int64(len(*buf)) == partSize {
			// Only flush once more data is known to come, so that a file of
			// exactly one part is still sent whole.
			var one [1]byte
			n, err := io.ReadFull(r, one[:])
			if n == 0 {
				if err == io.EOF {
					return total, nil
				}
				return total, err
			}
			if err := flush(); err != nil {
				return total, err
			}
			*buf = append(*buf, one[0])
			total++
		}
		if len(*buf) == cap(*buf) {
			grow(buf, partSize)
		}
		b := *buf
		n, err := r.Read(b[len(b):cap(b)])
		*buf = b[:len(b)+n]
		total += int64(n)
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// grow enlarges the first buffer (which starts small) toward one part.
func grow(buf *[]byte, partSize int64) {
	nb := make([]byte, len(*buf), min(partSize, max(2*int64(cap(*buf)), firstBufferSize)))
	copy(nb, *buf)
	*buf = nb
}
