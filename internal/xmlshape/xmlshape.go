// Package xmlshape checks that an XML document has the shape of the Go
// struct it is decoded into: encoding/xml ignores an element it has no
// field for and keeps the last of a repeated one, so that a document the
// service would refuse (a misspelt element, an S3 element in an OSS
// document, a value given twice) would be read as something else. A
// lifecycle rule whose <Filter><Prefix> is not OSS's would then match
// every object of the bucket.
package xmlshape

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// Check returns an error naming the first element of doc that v's type
// (a struct, or a pointer to one, with encoding/xml tags) has no field
// for, that a field which is not a slice receives more than once within
// one parent, or that appears inside a field of a type that has no
// elements (a string, a number). The root element is not checked against
// a name (the decoder does that); attributes, character data and
// comments are not looked at. A document that is not well-formed is left
// to the decoder to refuse: Check returns nil for it.
func Check(doc []byte, v any) error {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	type level struct {
		t    reflect.Type // nil: a field without elements
		seen map[string]bool
		path string
	}
	var stack []level
	dec := xml.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return nil // the decoder refuses it with its own words
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			name := tok.Name.Local
			if len(stack) == 0 {
				stack = append(stack, level{t: t, seen: map[string]bool{}, path: name})
				continue
			}
			top := &stack[len(stack)-1]
			path := top.path + "/" + name
			if top.t == nil {
				return fmt.Errorf("<%s> where no element is allowed", path)
			}
			ft, many, ok := field(top.t, name)
			if !ok {
				return fmt.Errorf("<%s> is not an element of this document", path)
			}
			if !many && top.seen[name] {
				return fmt.Errorf("<%s> given more than once", path)
			}
			top.seen[name] = true
			stack = append(stack, level{t: ft, seen: map[string]bool{}, path: path})
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
}

// field returns the type of the field of struct t whose XML name is name
// (nil when its values have no elements), whether it may repeat (a slice),
// and whether there is one.
func field(t reflect.Type, name string) (reflect.Type, bool, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("xml")
		fname, _, _ := strings.Cut(tag, ",")
		if fname == "-" || f.Name == "XMLName" || strings.Contains(tag, ",attr") || strings.Contains(tag, ",chardata") || strings.Contains(tag, ",innerxml") {
			continue
		}
		if fname == "" {
			fname = f.Name
		}
		if strings.Contains(fname, ">") || fname != name {
			continue
		}
		ft, many := f.Type, false
		if ft.Kind() == reflect.Slice && ft.Elem().Kind() != reflect.Uint8 {
			ft, many = ft.Elem(), true
		}
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() != reflect.Struct || ft.NumField() == 0 {
			return nil, many, true
		}
		return ft, many, true
	}
	return nil, false, false
}
