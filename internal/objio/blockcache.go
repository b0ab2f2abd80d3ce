package objio

import "sync"

// BlockCache keeps the most recently used blocks of a file, loading each
// once however many readers want it at the same time. A block whose load
// failed is not kept. It is safe for concurrent use.
type BlockCache struct {
	load func(idx int64) ([]byte, error)
	max  int

	mu     sync.Mutex
	blocks map[int64]*cachedBlock // by block index
	lru    []int64                // block indexes, least recently used first
}

// cachedBlock is a cached block, possibly still loading (ready open).
type cachedBlock struct {
	data  []byte
	err   error
	ready chan struct{}
}

// NewBlockCache returns a cache of up to max blocks, each loaded by load
// from its index.
func NewBlockCache(max int, load func(idx int64) ([]byte, error)) *BlockCache {
	return &BlockCache{load: load, max: max, blocks: map[int64]*cachedBlock{}}
}

// Block returns the data of block idx, loading it unless it is cached or
// already loading.
func (c *BlockCache) Block(idx int64) ([]byte, error) {
	c.mu.Lock()
	blk, ok := c.blocks[idx]
	if ok {
		c.touch(idx)
		c.mu.Unlock()
		<-blk.ready
		return blk.data, blk.err
	}
	blk = &cachedBlock{ready: make(chan struct{})}
	c.blocks[idx] = blk
	c.lru = append(c.lru, idx)
	if len(c.lru) > c.max {
		delete(c.blocks, c.lru[0])
		c.lru = c.lru[1:]
	}
	c.mu.Unlock()

	blk.data, blk.err = c.load(idx)
	close(blk.ready)
	if blk.err != nil {
		c.mu.Lock()
		if c.blocks[idx] == blk {
			delete(c.blocks, idx)
			c.removeLRU(idx)
		}
		c.mu.Unlock()
	}
	return blk.data, blk.err
}

// Reset drops every cached block.
func (c *BlockCache) Reset() {
	c.mu.Lock()
	c.blocks, c.lru = map[int64]*cachedBlock{}, nil
	c.mu.Unlock()
}

// touch marks idx most recently used; mu is held.
func (c *BlockCache) touch(idx int64) {
	c.removeLRU(idx)
	c.lru = append(c.lru, idx)
}

// removeLRU drops idx from the recency list; mu is held.
func (c *BlockCache) removeLRU(idx int64) {
	for i, v := range c.lru {
		if v == idx {
			c.lru = append(c.lru[:i], c.lru[i+1:]...)
			return
		}
	}
}
