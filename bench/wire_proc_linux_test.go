package bench

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// sumTasks is the sum over the threads of process pid of what count
// reads in each one's file /proc/<pid>/task/<tid>/<name>. A thread gone
// meanwhile counts nothing.
func sumTasks(pid int, name string, count func(b []byte) (int64, error)) (int64, error) {
	dir := fmt.Sprintf("/proc/%d/task", pid)
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	var sum int64
	for _, t := range tasks {
		path := dir + "/" + t.Name() + "/" + name
		b, err := os.ReadFile(path)
		if err != nil {
			continue // the thread has gone
		}
		n, err := count(b)
		if err != nil {
			return 0, fmt.Errorf("%s: %v", path, err)
		}
		sum += n
	}
	return sum, nil
}

// procCPU is the CPU time that process pid has spent so far: the sum of
// the first field of /proc/<pid>/task/*/schedstat, each thread's time on a
// CPU in nanoseconds. (/proc/<pid>/stat's utime and stime, which also
// count threads that have exited, come in 10 ms ticks: too coarse for a
// row of a second. A thread that exits during a row takes its time with
// it; Go's runtime keeps its threads.)
func procCPU(pid int) (time.Duration, error) {
	ns, err := sumTasks(pid, "schedstat", func(b []byte) (int64, error) {
		f := strings.Fields(string(b))
		if len(f) == 0 {
			return 0, fmt.Errorf("%q", b)
		}
		return strconv.ParseInt(f[0], 10, 64)
	})
	return time.Duration(ns), err
}

// procSwitches is how many times the threads of process pid have left a
// CPU so far, waiting (voluntary_ctxt_switches: a futex, a read, a
// sync) or taken off it (nonvoluntary_ctxt_switches): the sums of
// /proc/<pid>/task/*/status. Each is a trip through the scheduler, and a
// wakeup to come back.
func procSwitches(pid int) (int64, error) {
	return sumTasks(pid, "status", func(b []byte) (int64, error) {
		var sum int64
		for _, line := range strings.Split(string(b), "\n") {
			name, v, ok := strings.Cut(line, ":")
			if !ok || (name != "voluntary_ctxt_switches" && name != "nonvoluntary_ctxt_switches") {
				continue
			}
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("%q", line)
			}
			sum += n
		}
		return sum, nil
	})
}

// procTicks is the CPU time process pid has spent so far in user space
// and in the kernel, every thread's, exited ones too: utime and stime of
// /proc/<pid>/stat, in clock ticks (USER_HZ, 100 a second on Linux).
func procTicks(pid int) (user, sys int64, err error) {
	path := fmt.Sprintf("/proc/%d/stat", pid)
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	// The command name, in parentheses, may hold spaces: the fields that
	// follow start after the last ')', with the state (field 3).
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b[i+1:]))
	if i < 0 || len(f) < 13 {
		return 0, 0, fmt.Errorf("%s: %q", path, b)
	}
	if user, err = strconv.ParseInt(f[11], 10, 64); err == nil {
		sys, err = strconv.ParseInt(f[12], 10, 64)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %v", path, err)
	}
	return user, sys, nil
}

// procResetPeak sets process pid's peak resident set size (VmHWM) to what
// it holds now, by writing 5 to /proc/<pid>/clear_refs, so that
// procPeakRSS reads the peak from here on.
func procResetPeak(pid int) error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

// procPeakRSS is process pid's peak resident set size in bytes: VmHWM of
// /proc/<pid>/status.
func procPeakRSS(pid int) (int64, error) {
	path := fmt.Sprintf("/proc/%d/status", pid)
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) == 2 && f[1] == "kB" {
				if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil {
					return kb << 10, nil
				}
			}
			return 0, fmt.Errorf("%s: %q", path, line)
		}
	}
	return 0, fmt.Errorf("%s: no VmHWM", path)
}

// childAttr makes a server process die with the benchmark even when the
// benchmark dies without stopping it (a timeout's panic, a kill).
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// settleDisk writes every dirty page of every file system out (sync(2)),
// between rows, so that a server that leaves its writes to the page cache
// does not hand their writeback to the next server's row.
func settleDisk() { syscall.Sync() }

// machineBusy returns the CPU time the machine's CPUs have spent so far,
// in clock ticks, busy (anything but idle and waiting for I/O, a
// hypervisor's steal included) and in all, from /proc/stat.
func machineBusy() (busy, total int64, err error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, 0, fmt.Errorf("/proc/stat: %q", line)
	}
	for i, s := range f[1:9] { // user nice system idle iowait irq softirq steal
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("/proc/stat: %q", line)
		}
		total += n
		if i != 3 && i != 4 {
			busy += n
		}
	}
	return busy, total, nil
}

// TestSettleCPU: while every CPU spins, settleCPU waits settleMax and
// says the machine is busy.
func TestSettleCPU(t *testing.T) {
	defer func(d time.Duration) { settleMax = d }(settleMax)
	settleMax = 400 * time.Millisecond
	var stop atomic.Bool
	defer stop.Store(true)
	for range runtime.NumCPU() {
		go func() {
			for !stop.Load() {
			}
		}()
	}
	waited, err := settleCPU()
	if err == nil {
		t.Fatalf("settled after %v with every CPU spinning", waited)
	}
	if waited < settleMax {
		t.Fatalf("gave up after %v, before %v", waited, settleMax)
	}
}

// spinSink keeps TestProcTicks' loop from being optimized away.
var spinSink int

// TestProcTicks: a loop in user space adds to this process's user ticks
// more than to its kernel's, reading /dev/zero the other way round.
func TestProcTicks(t *testing.T) {
	pid := os.Getpid()
	grow := func(work func()) (user, sys int64) {
		u0, s0, err := procTicks(pid)
		if err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); {
			work()
			u1, s1, err := procTicks(pid)
			if err != nil {
				t.Fatal(err)
			}
			if user, sys = u1-u0, s1-s0; user+sys >= 50 {
				break
			}
		}
		return user, sys
	}
	user, sys := grow(func() {
		for i := range 1 << 20 {
			spinSink += i * i
		}
	})
	if user <= sys {
		t.Errorf("a loop in user space: %d user ticks, %d in the kernel", user, sys)
	}
	zero, err := os.Open("/dev/zero")
	if err != nil {
		t.Fatal(err)
	}
	defer zero.Close()
	buf := make([]byte, 1<<20)
	fd := zero.Fd()
	user, sys = grow(func() {
		// The kernel zeroes the buffer: its work, not ours. A raw read(2),
		// so that the race detector does not go over the buffer after it.
		for range 64 {
			if _, _, errno := syscall.Syscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf))); errno != 0 {
				t.Fatal(errno)
			}
		}
	})
	if sys <= user {
		t.Errorf("reading /dev/zero: %d user ticks, %d in the kernel", user, sys)
	}
}

// TestProcSwitches: a thread that sleeps leaves its CPU each time.
func TestProcSwitches(t *testing.T) {
	pid := os.Getpid()
	before, err := procSwitches(pid)
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		time.Sleep(time.Millisecond)
	}
	after, err := procSwitches(pid)
	if err != nil {
		t.Fatal(err)
	}
	if after-before < 25 {
		t.Errorf("50 sleeps: %d context switches", after-before)
	}
}
