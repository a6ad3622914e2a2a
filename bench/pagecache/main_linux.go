// Command pagecache measures what a large body file costs the kernel to
// write on this machine, as the engine writes one (engine/bodyfiles.go):
// pieces of 1 MiB, the writeback of each started as it is written
// (sync_file_range), one fdatasync at the end. It writes -files files of
// -size bytes into -dir, one after the other, keeps them, and prints for
// every -every files the kernel (system) CPU time, the user CPU time and the
// wall time a file, then the time to read one back from the disk and
// from the page cache. The modes:
//
//	writeback  as the engine did before the pages were dropped
//	drop       writeback, then posix_fadvise(DONTNEED) after the fdatasync (the engine now)
//	direct     O_DIRECT, past the page cache (as MinIO writes), one fdatasync
//	plain      write and fdatasync, nothing else
//
// -fill writes a file of that many bytes first and leaves it in the cache
// (untimed), as a machine whose page cache is already full of other files;
// -pause waits that long (untimed) after every -every files, as a server
// waits between requests.
//
//	go run ./bench/pagecache -dir /tmp/pc -mode writeback -files 120
//	go run ./bench/pagecache -dir /tmp/pc -mode drop -files 120
//
// bench/README.md, "The page cache", has what it measured.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

const piece = 1 << 20

func main() {
	dir := flag.String("dir", "", "folder for the files (emptied of this command's files first; required)")
	mode := flag.String("mode", "drop", "writeback, drop, direct or plain")
	files := flag.Int("files", 120, "files to write")
	size := flag.Int64("size", 16<<20, "bytes a file, a multiple of 1 MiB")
	every := flag.Int("every", 10, "files a line")
	fill := flag.Int64("fill", 0, "bytes of a file written first and left in the page cache")
	pause := flag.Duration("pause", 0, "time to wait, untimed, after every -every files")
	flag.Parse()
	if err := run(*dir, *mode, *files, *size, *every, *fill, *pause); err != nil {
		fmt.Fprintln(os.Stderr, "pagecache:", err)
		os.Exit(1)
	}
}

func run(dir, mode string, files int, size int64, every int, fill int64, pause time.Duration) error {
	switch {
	case dir == "":
		return errors.New("-dir is required")
	case size <= 0 || size%piece != 0:
		return fmt.Errorf("-size %d is not a positive multiple of 1 MiB", size)
	case files <= 0 || every <= 0:
		return errors.New("-files and -every must be positive")
	case mode != "writeback" && mode != "drop" && mode != "direct" && mode != "plain":
		return fmt.Errorf("unknown -mode %q", mode)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	old, _ := filepath.Glob(filepath.Join(dir, "pagecache-*"))
	for _, name := range old {
		if err := os.Remove(name); err != nil {
			return err
		}
	}
	buf := aligned(piece)
	for i := range buf {
		buf[i] = byte(i*7 + 1)
	}
	if fill > 0 {
		if err := write(filepath.Join(dir, "pagecache-fill"), "plain", (fill+piece-1)/piece*piece, buf); err != nil {
			return err
		}
	}
	fmt.Printf("mode %s, %d files of %d MiB in %s, %d MiB filled first, %v between lines\n", mode, files, size>>20, dir, fill>>20, pause)
	fmt.Println("files\tsys ms/file\tuser ms/file\twall ms/file")
	var last string
	for start := 0; start < files; start += every {
		n := min(every, files-start)
		before, t0 := usage(), time.Now()
		for i := start; i < start+n; i++ {
			last = filepath.Join(dir, fmt.Sprintf("pagecache-%05d", i))
			if err := write(last, mode, size, buf); err != nil {
				return err
			}
		}
		wall, after := time.Since(t0), usage()
		fmt.Printf("%d-%d\t%.1f\t%.1f\t%.1f\n", start+1, start+n,
			ms(after.sys-before.sys)/float64(n), ms(after.user-before.user)/float64(n), ms(wall)/float64(n))
		time.Sleep(pause)
	}
	// The last file, read back as the next GET of it would: from wherever
	// its pages are after the write, then again, from the cache.
	for _, when := range []string{"after the write", "again"} {
		t0 := time.Now()
		if err := readAll(last, buf); err != nil {
			return err
		}
		fmt.Printf("read of the last file, %s: %.1f ms\n", when, ms(time.Since(t0)))
	}
	return nil
}

// write writes name, size bytes, in pieces of buf, the way mode says.
func write(name, mode string, size int64, buf []byte) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	switch mode {
	case "direct":
		flags |= unix.O_DIRECT
	case "writeback", "drop", "plain":
	default:
		return fmt.Errorf("unknown -mode %q", mode)
	}
	file, err := os.OpenFile(name, flags, 0o600)
	if err != nil {
		return err
	}
	defer file.Close() // on an error; the end closes it and reports
	fd := int(file.Fd())
	for off := int64(0); off < size; off += piece {
		if _, err := file.Write(buf); err != nil {
			return err
		}
		if mode == "writeback" || mode == "drop" {
			_ = unix.SyncFileRange(fd, off, piece, unix.SYNC_FILE_RANGE_WRITE)
		}
	}
	if err := unix.Fdatasync(fd); err != nil {
		return err
	}
	if mode == "drop" {
		if err := unix.Fadvise(fd, 0, 0, unix.FADV_DONTNEED); err != nil {
			return err
		}
	}
	return file.Close()
}

func readAll(name string, buf []byte) error {
	file, err := os.Open(name)
	if err != nil {
		return err
	}
	defer file.Close()
	for {
		_, err := file.Read(buf)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// aligned returns n bytes starting at a 4 KiB boundary, as O_DIRECT needs.
func aligned(n int) []byte {
	b := make([]byte, n+4096)
	skip := (4096 - int(uintptr(unsafe.Pointer(&b[0]))%4096)) % 4096
	return b[skip : skip+n]
}

type cpu struct{ user, sys time.Duration }

// usage is this process's CPU time so far, in user space and in the kernel.
func usage() cpu {
	var ru unix.Rusage
	_ = unix.Getrusage(unix.RUSAGE_SELF, &ru)
	return cpu{time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
