package wire_test

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/wire"
	"github.com/stretchr/testify/require"
)

// TestReadBody: a body of limit bytes is read whole; one byte more is
// EntityTooLarge, after reading no more than limit+1; a failing reader's
// error comes back as it is.
func TestReadBody(t *testing.T) {
	b, err := wire.ReadBody(strings.NewReader("12345"), 5)
	require.NoError(t, err)
	require.Equal(t, "12345", string(b))

	r := strings.NewReader("123456789")
	_, err = wire.ReadBody(r, 5)
	require.ErrorIs(t, err, wire.ErrEntityTooLarge)
	require.Equal(t, 3, r.Len(), "read past limit+1")

	cut := errors.New("cut")
	_, err = wire.ReadBody(io.MultiReader(strings.NewReader("12"), iotest.ErrReader(cut)), 5)
	require.ErrorIs(t, err, cut)
}

// TestDecodeXML: an empty body is fine only when optional; anything but
// a document v can hold is MalformedXML with the parser's words as Detail.
func TestDecodeXML(t *testing.T) {
	var v struct {
		Days int `xml:"Days"`
	}
	require.NoError(t, wire.DecodeXML([]byte("<RestoreRequest><Days>3</Days></RestoreRequest>"), &v, false))
	require.Equal(t, 3, v.Days)
	require.NoError(t, wire.DecodeXML([]byte(" \n"), &v, true))
	require.Equal(t, 3, v.Days, "an empty optional body changed v")

	for _, body := range []string{"", " \n", "<RestoreRequest><Days>x</Days></RestoreRequest>", "<a>"} {
		err := wire.DecodeXML([]byte(body), &v, false)
		require.ErrorIs(t, err, coldstore.ErrMalformedXML, body)
		var oe *coldstore.OpError
		require.ErrorAs(t, err, &oe)
		require.NotEmpty(t, oe.Detail)
	}
}
