package main

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"testing"
)

// sendOne sends the file at path over a loopback connection with send and
// returns what the other end received, and send's error.
func sendOne(t *testing.T, path string, piece int, send func(*sender, *os.File) error) ([]byte, error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- nil
			return
		}
		defer c.Close()
		b, _ := io.ReadAll(c)
		got <- b
	}()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s, err := newSender(conn.(*net.TCPConn), piece)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	sendErr := send(s, file)
	conn.Close()
	return <-got, sendErr
}

// content is what the file at path holds without the chunks' sums.
func content(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c []byte
	for i := range chunks {
		c = append(c, b[i*sealed:i*sealed+chunk]...)
	}
	return c
}

// Every mode sends the chunks' bytes, in order, and not their sums.
func TestModesSendTheChunks(t *testing.T) {
	paths, err := makeFiles(t.TempDir(), 1)
	if err != nil {
		t.Fatal(err)
	}
	want := content(t, paths[0])
	if err := mapFiles(paths); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		send  func(*sender, *os.File) error
		piece int
	}{
		"copy":          {(*sender).copy, 4},
		"copy piece 3":  {(*sender).copy, 3}, // 64 chunks: the last write has one
		"ahead":         {(*sender).ahead, 4},
		"ahead piece 3": {(*sender).ahead, 3},
		"splice":        {(*sender).splice, 4},
		"sendfile":      {(*sender).sendfile, 4},
		"map":           {(*sender).mapped, 4},
		"map piece 3":   {(*sender).mapped, 3},
		"mapeach":       {(*sender).mapEach, 4},
		"mappin":        {(*sender).mapPin, 4},
		"mappineach":    {(*sender).mapPinEach, 4},
		"mapsplice":     {(*sender).mapSplice, 4},
	} {
		got, err := sendOne(t, paths[0], c.piece, c.send)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: received %d bytes, not the file's %d", name, len(got), len(want))
		}
	}
}

// The modes that check refuse a damaged chunk before they send it, and
// send the chunks before it; sendfile sends the damage.
func TestCheckingModesRefuseDamage(t *testing.T) {
	dir := t.TempDir()
	paths, err := makeFiles(dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	b[5*sealed+100] ^= 1 // chunk 5
	if err := os.WriteFile(paths[0], b, 0o644); err != nil {
		t.Fatal(err)
	}
	want := content(t, paths[0])
	if err := mapFiles(paths); err != nil {
		t.Fatal(err)
	}
	for name, send := range map[string]func(*sender, *os.File) error{
		"copy": (*sender).copy, "ahead": (*sender).ahead, "splice": (*sender).splice,
		"map": (*sender).mapped, "mapeach": (*sender).mapEach, "mappin": (*sender).mapPin,
		"mappineach": (*sender).mapPinEach, "mapsplice": (*sender).mapSplice,
	} {
		got, err := sendOne(t, paths[0], 1, send)
		if !errors.Is(err, errSum) {
			t.Errorf("%s: error %v, want %v", name, err, errSum)
		}
		if !bytes.Equal(got, want[:5*chunk]) {
			t.Errorf("%s: received %d bytes, want the %d of the 5 chunks before the damage", name, len(got), 5*chunk)
		}
	}
	got, err := sendOne(t, paths[0], 1, (*sender).sendfile)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("sendfile: %d bytes, %v; want the whole file, damage and all", len(got), err)
	}
}

func TestRunRefusesBadFlags(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		dir, mode              string
		files, conns, n, piece int
	}{
		{dir, "mmap", 1, 1, 1, 4},
		{"", "copy", 1, 1, 1, 4},
		{dir, "copy", 0, 1, 1, 4},
		{dir, "copy", 1, 1, 1, 65},
	} {
		if err := run(c.dir, c.mode, c.files, c.conns, c.n, c.piece); err == nil {
			t.Errorf("run(%+v) = nil, want an error", c)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("refused runs wrote %d files", len(entries))
	}
}
