package xmlshape

import (
	"encoding/xml"
	"testing"

	"github.com/stretchr/testify/require"
)

type doc struct {
	XMLName xml.Name `xml:"Doc"`
	Attr    string   `xml:"attr,attr"`
	Items   []item   `xml:"Item"`
	One     *string  `xml:"One"`
	Nested  *nested  `xml:"Nested"`
	Bytes   []byte   `xml:"Bytes"`
}

type item struct {
	Name string `xml:"Name"`
	Tags []tag  `xml:"Tag"`
}

type tag struct {
	Key string `xml:"Key"`
}

type nested struct {
	N int `xml:"N"`
}

// TestCheck: elements the type has, repeated where a slice takes them,
// pass; an unknown one, a repeated single one, a child of a value, are
// named; what is not well-formed is left to the decoder.
func TestCheck(t *testing.T) {
	for _, ok := range []string{
		`<Doc attr="x"><Item><Name>a</Name><Tag><Key>k</Key></Tag><Tag><Key>l</Key></Tag></Item><Item><Name>b</Name></Item><One>1</One><Nested><N>2</N></Nested><Bytes>xx</Bytes></Doc>`,
		`<Doc></Doc>`,
		`<Doc><!-- a comment --><One>1</One></Doc>`,
		`<Doc><One>`, // not well-formed: the decoder's to refuse
	} {
		require.NoError(t, Check([]byte(ok), &doc{}), ok)
	}
	for want, bad := range map[string]string{
		"<Doc/Other> is not an element":           `<Doc><Other/></Doc>`,
		"<Doc/Item/Prefix> is not an element":     `<Doc><Item><Prefix>p</Prefix></Item></Doc>`,
		"<Doc/One> given more than once":          `<Doc><One>1</One><One>2</One></Doc>`,
		"<Doc/Item/Name> given more than once":    `<Doc><Item><Name>a</Name><Name>b</Name></Item></Doc>`,
		"<Doc/One/X> where no element is allowed": `<Doc><One><X/></One></Doc>`,
		"<Doc/Nested/M> is not an element":        `<Doc><Nested><M/></Nested></Doc>`,
	} {
		err := Check([]byte(bad), doc{})
		require.ErrorContains(t, err, want, bad)
	}
	require.NoError(t, Check([]byte(`<Doc><Item><Name>a</Name></Item><Item><Name>b</Name></Item></Doc>`), &doc{}), "one Name in each Item")
}
