package boltkv

import "os"

// bbolt's page layout, for the tests that damage files.
const (
	BoltOverflowAt = boltOverflowAt
	PageLeaf       = pageLeaf
	BoltPageHeader = boltPageHeader
)

// Reachable walks the file at path as Open does and returns the pages its
// newest meta reaches, and the page size.
func Reachable(path string) (map[uint64]bool, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	m0, _, _ := readMeta(f, 0)
	m1, _, _ := readMeta(f, int64(m0.pageSize))
	m := m0
	if m1.txid > m0.txid {
		m = m1
	}
	data, unmap, err := mapFile(f, int64(m.pgid)*int64(m.pageSize))
	if err != nil {
		return nil, 0, err
	}
	defer unmap()
	w := pageWalker{data: data, ps: uint64(m.pageSize), hwm: m.pgid, seen: make([]uint64, (m.pgid+63)/64)}
	if err := w.bucket(m.root, "root"); err != nil {
		return nil, 0, err
	}
	seen := map[uint64]bool{}
	for id := range m.pgid {
		if w.seen[id/64]&(1<<(id%64)) != 0 {
			seen[id] = true
		}
	}
	return seen, int(m.pageSize), nil
}
