// Command sendpath measures what sending a large body over loopback TCP
// costs this machine, by the way the sender reads it from its file. The
// files are laid out as the engine's body files are (engine/bodyfiles.go):
// chunks of 256 KiB, each followed by its 8-byte XXH3. The modes:
//
//	copy      pread each chunk into a buffer, check it there, write the
//	          buffer to the socket, -piece chunks a write (the engine's
//	          way, engine.Object.WriteTo; 4 chunks, 1 MiB, there)
//	splice    splice each chunk into a pipe, tee it into a second pipe,
//	          read the second and check what it read, then splice the
//	          first to the socket: the very pages checked are sent, not
//	          copied again
//	ahead     copy, with a goroutine of its own reading and checking the
//	          next -piece chunks while the last are written (two buffers)
//	sendfile  sendfile(2) each chunk, nothing checked (as versitygw sends)
//
// and ways through a mapping of the file, checking each chunk where it
// lies in the page cache, without copying it out first:
//
//	map        check -piece chunks in a mapping made once for the run, and
//	           write them from there in one writev (as gofakes3 writes from
//	           bbolt's mapping, with the check added); a page evicted and
//	           read again between the check and the write goes out unchecked
//	mapeach    the same through a mapping made for each body (populated
//	           at once, unmapped after)
//	mappin     splice each sealed chunk into a pipe first, which holds the
//	           cache's pages (reclaim, migration and invalidation leave a
//	           page with other references alone), check it in the mapping
//	           made once for the run, write it from there, then empty the
//	           pipe into /dev/null: the very pages checked are the ones
//	           copied out; one chunk a write
//	mappineach mappin through a mapping made for each body
//	mapsplice  mappin, but the pipe's pages spliced to the socket instead
//	           of written from the mapping: checked, and never copied by
//	           the sender
//
// A receiver (this command again, with -receive) reads what is sent in
// reads of 256 KiB, as the wire benchmark's client does
// (bench/wire_client_test.go). -conns connections each send -n bodies,
// taking the -files files in turn; each file is read once before, so
// that every body comes from the page cache. It prints the sender's CPU
// time a body, the whole machine's busy time a body (sender, receiver and
// the kernel's work for both: what the two share on a machine where a
// client and a server run side by side) and the throughput.
//
//	go run ./bench/sendpath -dir /tmp/sp -mode copy -files 16 -conns 32 -n 15
//
// bench/README.md, "Sending what was checked", has what it measured.
package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/zeebo/xxh3"
	"golang.org/x/sys/unix"
)

const (
	chunk   = 256 << 10
	trailer = 8
	sealed  = chunk + trailer
	chunks  = 64 // a body of 16 MiB
	body    = chunks * chunk
)

func main() {
	receive := flag.String("receive", "", "run as the receiver, listening on this address (the command starts it)")
	dir := flag.String("dir", "", "folder for the files (required)")
	mode := flag.String("mode", "copy", "copy, ahead, splice, sendfile, map, mapeach, mappin, mappineach, mapsplice or cached")
	files := flag.Int("files", 16, "files of 16 MiB to send from")
	conns := flag.Int("conns", 32, "connections, each sending in turn")
	n := flag.Int("n", 15, "bodies a connection sends")
	piece := flag.Int("piece", 4, "with -mode copy or ahead: chunks a write")
	flag.Parse()
	var err error
	if *receive != "" {
		err = receiver(*receive)
	} else {
		err = run(*dir, *mode, *files, *conns, *n, *piece)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "sendpath:", err)
		os.Exit(1)
	}
}

// receiver accepts connections on addr and reads each to its end, 256
// KiB a read. It says "ready" on its standard output once it listens.
func receiver(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Println("ready")
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		go func() {
			defer c.Close()
			buf := make([]byte, 256<<10)
			for {
				if _, err := c.Read(buf); err != nil {
					return
				}
			}
		}()
	}
}

func run(dir, mode string, files, conns, n, piece int) error {
	var send func(*sender, *os.File) error
	switch mode {
	case "copy":
		send = (*sender).copy
	case "ahead":
		send = (*sender).ahead
	case "splice":
		send = (*sender).splice
	case "sendfile":
		send = (*sender).sendfile
	case "map":
		send = (*sender).mapped
	case "mapsplice":
		send = (*sender).mapSplice
	case "mappin":
		send = (*sender).mapPin
	case "mappineach":
		send = (*sender).mapPinEach
	case "mapeach":
		send = (*sender).mapEach
	case "cached":
		send = (*sender).cached
	default:
		return fmt.Errorf("unknown -mode %q", mode)
	}
	switch {
	case dir == "":
		return errors.New("-dir is required")
	case files <= 0 || conns <= 0 || n <= 0:
		return errors.New("-files, -conns and -n must be positive")
	case piece <= 0 || piece > chunks:
		return fmt.Errorf("-piece %d is not between 1 and %d", piece, chunks)
	}
	paths, err := makeFiles(dir, files)
	if err != nil {
		return err
	}
	if mode == "cached" {
		if err := cacheFiles(paths); err != nil {
			return err
		}
	}
	if mode == "map" || mode == "mapsplice" || mode == "mappin" {
		if err := mapFiles(paths); err != nil {
			return err
		}
	}
	addr, stop, err := startReceiver()
	if err != nil {
		return err
	}
	defer stop()

	busy0, err := machineBusy()
	if err != nil {
		return err
	}
	var ru0, ru1 syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru0); err != nil {
		return err
	}
	start := time.Now()
	errs := make(chan error, conns)
	var wg sync.WaitGroup
	for c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- sendBodies(addr, paths, c, n, piece, send)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	elapsed := time.Since(start)
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru1); err != nil {
		return err
	}
	busy1, err := machineBusy()
	if err != nil {
		return err
	}
	bodies := float64(conns * n)
	cpu := time.Duration(ru1.Utime.Nano() - ru0.Utime.Nano() + ru1.Stime.Nano() - ru0.Stime.Nano())
	fmt.Printf("%s conns=%d files=%d piece=%d: %.0f MiB/s; a body: sender %.2f ms of CPU, machine busy %.2f ms\n",
		mode, conns, files, piece, bodies*body/(1<<20)/elapsed.Seconds(),
		float64(cpu.Microseconds())/1000/bodies, float64((busy1-busy0).Microseconds())/1000/bodies)
	return nil
}

// makeFiles writes (or finds, from a run before) the files of 16 MiB,
// each chunk sealed with its sum, and reads each once, so that they are
// in the page cache.
func makeFiles(dir string, files int) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	buf := make([]byte, sealed)
	var paths []string
	for f := range files {
		path := filepath.Join(dir, fmt.Sprintf("sendpath-%d", f))
		paths = append(paths, path)
		if st, err := os.Stat(path); err != nil || st.Size() != chunks*sealed {
			if err := writeFile(path, f, buf); err != nil {
				return nil, err
			}
		}
		file, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		_, err = io.Copy(io.Discard, file)
		file.Close()
		if err != nil {
			return nil, err
		}
	}
	return paths, nil
}

func writeFile(path string, f int, buf []byte) error {
	file, err := os.Create(path)
	if err != nil {
		return err
	}
	for i := range chunks {
		for j := range buf[:chunk] {
			buf[j] = byte(f*131 + i*7 + j*13)
		}
		binary.BigEndian.PutUint64(buf[chunk:], xxh3.Hash(buf[:chunk]))
		if _, err := file.Write(buf); err != nil {
			file.Close()
			return err
		}
	}
	return file.Close()
}

// startReceiver starts this command again as the receiver, on a port the
// kernel picks, and returns its address and a function that stops it.
func startReceiver() (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	self, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(self, "-receive", addr)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
	line := make([]byte, len("ready\n"))
	if _, err := io.ReadFull(out, line); err != nil || strings.TrimSpace(string(line)) != "ready" {
		stop()
		return "", nil, fmt.Errorf("the receiver did not start: %q %v", line, err)
	}
	return addr, stop, nil
}

// sendBodies sends n bodies over one connection, starting at file c.
func sendBodies(addr string, paths []string, c, n, piece int, send func(*sender, *os.File) error) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	s, err := newSender(conn.(*net.TCPConn), piece)
	if err != nil {
		return err
	}
	defer s.close()
	for i := range n {
		file, err := os.Open(paths[(c+i)%len(paths)])
		if err != nil {
			return err
		}
		err = send(s, file)
		file.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// A sender sends bodies over one connection.
type sender struct {
	conn  *net.TCPConn
	raw   syscall.RawConn
	buf   []byte
	piece int
	pipe  [2]int // splice: the pipe the chunk goes through to the socket
	tee   [2]int // splice: the pipe its copy to check is read from
	pin   [2]int // mappin: the pipe that holds the pages being checked and sent
}

func newSender(conn *net.TCPConn, piece int) (*sender, error) {
	raw, err := conn.SyscallConn()
	if err != nil {
		return nil, err
	}
	s := &sender{conn: conn, raw: raw, buf: make([]byte, piece*sealed), piece: piece, pipe: [2]int{-1, -1}, tee: [2]int{-1, -1}, pin: [2]int{-1, -1}}
	for _, p := range []*[2]int{&s.pipe, &s.tee, &s.pin} {
		if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
			s.close()
			return nil, err
		}
		// A chunk not aligned to a page spans 66 pages: 512 KiB holds it;
		// three span at most 193, which 1 MiB (the most an unprivileged
		// process may ask for) holds.
		size := 512 << 10
		if p == &s.pin {
			size = 1 << 20
		}
		if _, err := unix.FcntlInt(uintptr(p[1]), unix.F_SETPIPE_SZ, size); err != nil {
			s.close()
			return nil, fmt.Errorf("F_SETPIPE_SZ: %w", err)
		}
	}
	return s, nil
}

func (s *sender) close() {
	for _, fd := range [...]int{s.pipe[0], s.pipe[1], s.tee[0], s.tee[1], s.pin[0], s.pin[1]} {
		if fd >= 0 {
			unix.Close(fd)
		}
	}
}

var errSum = errors.New("a chunk fails its checksum")

func check(c []byte) error {
	if binary.BigEndian.Uint64(c[chunk:]) != xxh3.Hash(c[:chunk]) {
		return errSum
	}
	return nil
}

// copy reads s.piece chunks at a time into s.buf, checks each, and
// writes them to the socket in one write.
func (s *sender) copy(file *os.File) error {
	for i := 0; i < chunks; i += s.piece {
		n, err := s.load(file, i, s.buf)
		if err != nil {
			return err
		}
		if _, err := s.conn.Write(s.buf[:n]); err != nil {
			return err
		}
	}
	return nil
}

// load reads the s.piece chunks from chunk i on (fewer at the end) into
// buf and checks each, and returns the count of their bytes, without
// their sums.
func (s *sender) load(file *os.File, i int, buf []byte) (int, error) {
	n := 0
	for k := range min(s.piece, chunks-i) {
		c := buf[n : n+sealed]
		if _, err := file.ReadAt(c, int64(i+k)*sealed); err != nil {
			return n, err
		}
		if err := check(c); err != nil {
			return n, err
		}
		n += chunk
	}
	return n, nil
}

// ahead is copy with the loads on a goroutine of their own, one piece
// ahead of the writes: two buffers, one being filled while the other is
// written. A piece that fails to load is written up to the failing chunk,
// and its error returned.
func (s *sender) ahead(file *os.File) error {
	type piece struct {
		buf []byte
		n   int
		err error
	}
	full := make(chan piece, 1)
	free := make(chan []byte, 2)
	free <- s.buf
	free <- make([]byte, len(s.buf))
	stop := make(chan struct{})
	go func() {
		defer close(full)
		for i := 0; i < chunks; i += s.piece {
			var buf []byte
			select {
			case buf = <-free:
			case <-stop:
				return
			}
			n, err := s.load(file, i, buf)
			full <- piece{buf, n, err}
			if err != nil {
				return
			}
		}
	}()
	defer func() {
		close(stop)
		for range full { // the loader has stopped once full is closed
		}
	}()
	for p := range full {
		if _, err := s.conn.Write(p.buf[:p.n]); err != nil {
			return err
		}
		if p.err != nil {
			return p.err
		}
		free <- p.buf
	}
	return nil
}

// splice moves each sealed chunk into s.pipe, duplicates it into s.tee,
// reads and checks the duplicate, splices the chunk's bytes from s.pipe
// to the socket and reads its sum out of the pipe.
func (s *sender) splice(file *os.File) error {
	fd := int(file.Fd())
	c := s.buf[:sealed]
	for i := range chunks {
		if err := spliceIn(fd, int64(i)*sealed, sealed, s.pipe[1]); err != nil {
			return err
		}
		if n, err := unix.Tee(s.pipe[0], s.tee[1], sealed, 0); err != nil || n != sealed {
			return fmt.Errorf("tee: %d bytes, %v", n, err)
		}
		if err := readFull(s.tee[0], c); err != nil {
			return err
		}
		if err := check(c); err != nil {
			return err
		}
		if err := s.toSocket(s.pipeToSocket); err != nil {
			return err
		}
		if err := readFull(s.pipe[0], c[:trailer]); err != nil {
			return err
		}
	}
	return nil
}

// maps holds each file's mapping, made once for the whole run, by path.
var maps = map[string][]byte{}

func mapFiles(paths []string) error {
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		m, err := unix.Mmap(int(f.Fd()), 0, chunks*sealed, unix.PROT_READ, unix.MAP_SHARED|unix.MAP_POPULATE)
		f.Close()
		if err != nil {
			return err
		}
		maps[p] = m
	}
	return nil
}

// cache holds each file's chunks, checked once when cacheFiles read them,
// without their sums: a cache of checked bytes in the sender's memory.
var cache = map[string][]byte{}

// cacheFiles reads and checks each file's chunks into cache.
func cacheFiles(paths []string) error {
	s := &sender{piece: chunks, buf: make([]byte, chunks*sealed)}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		n, err := s.load(f, 0, s.buf)
		f.Close()
		if err != nil {
			return err
		}
		cache[p] = append([]byte(nil), s.buf[:n]...)
	}
	return nil
}

// cached writes the body from cache, s.piece chunks a write, checking
// nothing: the check was made when the bytes entered the cache.
func (s *sender) cached(file *os.File) error {
	b := cache[file.Name()]
	for i := 0; i < len(b); i += s.piece * chunk {
		if _, err := s.conn.Write(b[i:min(i+s.piece*chunk, len(b))]); err != nil {
			return err
		}
	}
	return nil
}

// mapped checks each chunk in the file's mapping, made once for the run,
// and writes it to the socket from there, s.piece chunks a write.
func (s *sender) mapped(file *os.File) error { return s.sendMapped(maps[file.Name()]) }

// mapEach maps the whole file for this body alone (populated at once),
// then sends from it as mapped does.
func (s *sender) mapEach(file *os.File) error {
	m, err := unix.Mmap(int(file.Fd()), 0, chunks*sealed, unix.PROT_READ, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		return err
	}
	defer unix.Munmap(m)
	return s.sendMapped(m)
}

// sendMapped checks s.piece chunks at a time in the mapping m and writes
// them from there in one writev.
func (s *sender) sendMapped(m []byte) error {
	for i := 0; i < chunks; i += s.piece {
		k := min(s.piece, chunks-i)
		for j := range k {
			if err := check(m[(i+j)*sealed : (i+j+1)*sealed]); err != nil {
				return err
			}
		}
		bufs := make(net.Buffers, 0, k)
		for j := range k {
			bufs = append(bufs, m[(i+j)*sealed:(i+j)*sealed+chunk])
		}
		if _, err := bufs.WriteTo(s.conn); err != nil {
			return err
		}
	}
	return nil
}

// devNull takes what a pipe holds and drops it, as a splice's sink.
var devNull = func() int {
	fd, err := unix.Open("/dev/null", unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		panic(err)
	}
	return fd
}()

// mapPin is pinned through the file's mapping made once for the run.
func (s *sender) mapPin(file *os.File) error { return s.pinned(file, maps[file.Name()]) }

// mapPinEach is pinned through a mapping made for this body alone.
func (s *sender) mapPinEach(file *os.File) error {
	m, err := unix.Mmap(int(file.Fd()), 0, chunks*sealed, unix.PROT_READ, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		return err
	}
	defer unix.Munmap(m)
	return s.pinned(file, m)
}

// pinned splices up to three sealed chunks at a time (-piece, at most
// the 193 pages a pipe of 1 MiB holds) into s.pin, which holds the cache's
// pages while it has them, checks each through the mapping m and writes
// them from there in one writev, then empties the pipe into /dev/null.
func (s *sender) pinned(file *os.File, m []byte) error {
	fd := int(file.Fd())
	per := min(s.piece, 3)
	for i := 0; i < chunks; i += per {
		k := min(per, chunks-i)
		if err := spliceIn(fd, int64(i)*sealed, k*sealed, s.pin[1]); err != nil {
			return err
		}
		bufs := make(net.Buffers, 0, k)
		for j := range k {
			c := m[(i+j)*sealed : (i+j+1)*sealed]
			if err := check(c); err != nil {
				return err
			}
			bufs = append(bufs, c[:chunk])
		}
		if _, err := bufs.WriteTo(s.conn); err != nil {
			return err
		}
		for got := 0; got < k*sealed; {
			n, err := unix.Splice(s.pin[0], nil, devNull, nil, k*sealed-got, unix.SPLICE_F_MOVE)
			if err != nil {
				return fmt.Errorf("splice to /dev/null: %w", err)
			}
			got += int(n)
		}
	}
	return nil
}

// mapSplice splices each sealed chunk into s.pipe (the pipe's references
// keep those pages in the cache), checks the chunk through the file's
// mapping, which maps those same pages, then splices the chunk's bytes
// to the socket and reads its sum out of the pipe.
func (s *sender) mapSplice(file *os.File) error {
	fd := int(file.Fd())
	m := maps[file.Name()]
	c := s.buf[:trailer]
	for i := range chunks {
		if err := spliceIn(fd, int64(i)*sealed, sealed, s.pipe[1]); err != nil {
			return err
		}
		if err := check(m[i*sealed : (i+1)*sealed]); err != nil {
			return err
		}
		if err := s.toSocket(s.pipeToSocket); err != nil {
			return err
		}
		if err := readFull(s.pipe[0], c); err != nil {
			return err
		}
	}
	return nil
}

// spliceIn moves n bytes of the file fd from off into the pipe whose
// write end is pipe.
func spliceIn(fd int, off int64, n int, pipe int) error {
	for got := 0; got < n; {
		k, err := unix.Splice(fd, &off, pipe, nil, n-got, unix.SPLICE_F_MOVE)
		if err != nil {
			return fmt.Errorf("splice from the file: %w", err)
		}
		if k == 0 {
			return io.ErrUnexpectedEOF
		}
		got += int(k)
	}
	return nil
}

// pipeToSocket is toSocket's move for the bytes s.pipe holds.
func (s *sender) pipeToSocket(sock, left int) (int, error) {
	n, err := unix.Splice(s.pipe[0], nil, sock, nil, left, unix.SPLICE_F_MOVE|unix.SPLICE_F_NONBLOCK)
	return int(n), err
}

// sendfile sends each chunk's bytes from the file with sendfile(2).
func (s *sender) sendfile(file *os.File) error {
	fd := int(file.Fd())
	for i := range chunks {
		off := int64(i) * sealed
		if err := s.toSocket(func(sock int, left int) (int, error) {
			return unix.Sendfile(sock, fd, &off, left)
		}); err != nil {
			return err
		}
	}
	return nil
}

// toSocket calls move with the socket and the bytes left of a chunk
// until none are, waiting through the runtime's poller while the socket
// is full.
func (s *sender) toSocket(move func(sock, left int) (int, error)) error {
	left := chunk
	var err error
	werr := s.raw.Write(func(sock uintptr) bool {
		for left > 0 {
			n, e := move(int(sock), left)
			if e == unix.EAGAIN {
				return false
			}
			if e != nil {
				err = e
				return true
			}
			left -= n
		}
		return true
	})
	if werr != nil {
		return werr
	}
	return err
}

func readFull(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := unix.Read(fd, b)
		if err != nil {
			return err
		}
		if n == 0 {
			return io.ErrUnexpectedEOF
		}
		b = b[n:]
	}
	return nil
}

// machineBusy is the time the machine's CPUs have spent busy so far
// (/proc/stat: user, nice, system, irq and softirq), in clock ticks of
// 10 ms turned into a duration.
func machineBusy() (time.Duration, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	var user, nice, system, idle, iowait, irq, softirq int64
	if _, err := fmt.Sscanf(string(b), "cpu %d %d %d %d %d %d %d", &user, &nice, &system, &idle, &iowait, &irq, &softirq); err != nil {
		return 0, fmt.Errorf("/proc/stat: %w", err)
	}
	return time.Duration(user+nice+system+irq+softirq) * 10 * time.Millisecond, nil
}
