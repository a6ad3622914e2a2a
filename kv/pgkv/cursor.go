package pgkv

import (
	"github.com/coldstore-dev/coldstore/kv"
	"github.com/jackc/pgx/v5"
)

// cursor walks a bucket a page of rows at a time. A page is read in one
// round trip; the first holds few rows (a Seek often wants one) and each
// next one twice as many, up to maxPage rows or about maxPageBytes. A page
// read before the transaction's last write is read again from the current
// key, so the cursor sees the transaction's own changes.
type cursor struct {
	b      *bucket
	page   []row
	i      int  // the current row of page
	desc   bool // page runs backwards
	full   bool // page holds every row past its first in its direction
	writes int  // the transaction's writes when page was read
	limit  int  // rows of the next page
}

type row struct{ k, v []byte }

const (
	firstPage    = 4
	maxPage      = 512
	maxPageBytes = 4 << 20
)

const (
	sqlFrom     = "SELECT k, v FROM coldstore_kv WHERE p = $1 AND k >= $2 ORDER BY k LIMIT $3"
	sqlAfter    = "SELECT k, v FROM coldstore_kv WHERE p = $1 AND k > $2 ORDER BY k LIMIT $3"
	sqlBefore   = "SELECT k, v FROM coldstore_kv WHERE p = $1 AND k < $2 ORDER BY k DESC LIMIT $3"
	sqlLastPage = "SELECT k, v FROM coldstore_kv WHERE p = $1 ORDER BY k DESC LIMIT $2"
)

// load reads a page and returns its first row.
func (c *cursor) load(desc bool, sql string, args ...any) ([]byte, []byte) {
	if c.limit == 0 {
		c.limit = firstPage
	}
	limit := c.limit
	args = append(args, limit)
	page := c.page[:0]
	size := 0
	c.b.t.send(&query{sql: sql, args: args, each: func(r pgx.Rows) error {
		var k, v []byte
		if err := r.Scan(&k, &v); err != nil {
			return err
		}
		size += len(k) + len(v)
		page = append(page, row{k, v})
		return nil
	}})
	if c.b.t.err != nil {
		page = page[:0]
	}
	c.page, c.i, c.desc, c.writes = page, 0, desc, c.b.t.writes
	c.full = len(page) < limit
	if size < maxPageBytes/2 {
		c.limit = min(2*c.limit, maxPage)
	} else if size > maxPageBytes && c.limit > 1 {
		c.limit /= 2
	}
	return c.at()
}

func (c *cursor) at() ([]byte, []byte) {
	if c.i < 0 || c.i >= len(c.page) {
		return nil, nil
	}
	r := c.page[c.i]
	return r.k, r.v
}

// current returns the current key, nil when the cursor is off the bucket.
func (c *cursor) current() []byte {
	k, _ := c.at()
	return k
}

func (c *cursor) First() ([]byte, []byte) {
	c.limit = 0
	return c.load(false, sqlFrom, c.b.path, []byte{})
}

func (c *cursor) Last() ([]byte, []byte) {
	c.limit = 0
	return c.load(true, sqlLastPage, c.b.path)
}

func (c *cursor) Seek(seek []byte) ([]byte, []byte) {
	c.limit = 0
	if len(seek) == 0 {
		seek = []byte{} // nil would be NULL
	}
	return c.load(false, sqlFrom, c.b.path, seek)
}

func (c *cursor) Next() ([]byte, []byte) {
	return c.step(false)
}

func (c *cursor) Prev() ([]byte, []byte) {
	return c.step(true)
}

// step moves one row forward (desc false) or back.
func (c *cursor) step(back bool) ([]byte, []byte) {
	k := c.current()
	if k == nil {
		c.page, c.i = c.page[:0], 0
		return nil, nil
	}
	if c.writes == c.b.t.writes && c.desc == back && c.i+1 < len(c.page) {
		c.i++
		return c.at()
	}
	if c.writes == c.b.t.writes && c.desc == back && c.full {
		c.page, c.i = c.page[:0], 0
		return nil, nil
	}
	if back {
		return c.load(true, sqlBefore, c.b.path, k)
	}
	return c.load(false, sqlAfter, c.b.path, k)
}

func (c *cursor) Delete() error {
	if !c.b.t.writable {
		return kv.ErrTxNotWritable
	}
	k, v := c.at()
	if k == nil {
		return nil
	}
	if v == nil {
		return kv.ErrIncompatibleValue
	}
	return c.b.t.write(sqlDelete, c.b.path, k)
}
