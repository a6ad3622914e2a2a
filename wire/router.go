package wire

import (
	"net/http"
	"sort"
	"strings"
)

// Level is what a request addresses: the service, a bucket or an object.
type Level int

// The levels of a request.
const (
	Service Level = iota // no bucket
	Bucket               // a bucket, no key
	Object               // a key in a bucket
)

// LevelOf returns the level of a request for bucket and key.
func LevelOf(bucket, key string) Level {
	switch {
	case bucket == "":
		return Service
	case key == "":
		return Bucket
	}
	return Object
}

// Routes are a protocol's table of operations, H its handler type:
// SubResources are the query parameters that name an operation; Served
// maps the ones served, at their level, to their operations by method,
// several together keyed by their sorted names joined with commas; Plain
// maps the calls without one by level and method; Methods are the methods
// the protocol defines operations for.
type Routes[H any] struct {
	SubResources map[string]bool
	Served       map[Level]map[string]map[string]H
	Plain        map[Level]map[string]H
	Methods      map[string]bool
}

// Route picks the operation of a request of method at lvl with query. A
// request naming sub-resources not served together at lvl is
// ErrNotImplemented, as is a method of Methods without a plain operation;
// a served sub-resource with another method, or a method outside
// Methods, is ErrMethodNotAllowed. The error's detail (what) says which;
// nothing of the request has been read.
func (rt *Routes[H]) Route(lvl Level, method string, query map[string][]string) (h H, what string, err error) {
	var subs []string
	for k := range query {
		if rt.SubResources[k] {
			subs = append(subs, k)
		}
	}
	if len(subs) > 0 {
		sort.Strings(subs)
		name := strings.Join(subs, ",")
		ops, ok := rt.Served[lvl][name]
		if !ok {
			return h, "sub-resource " + strings.Join(subs, ", ") + " is not implemented", ErrNotImplemented
		}
		fn, ok := ops[method]
		if !ok {
			return h, method + " ?" + name + " is not allowed", ErrMethodNotAllowed
		}
		return fn, "", nil
	}
	fn, ok := rt.Plain[lvl][method]
	if !ok {
		if rt.Methods[method] {
			return h, method + " is not implemented", ErrNotImplemented
		}
		return h, method + " is not allowed", ErrMethodNotAllowed
	}
	return fn, "", nil
}

// HTTPMethods are the methods both OSS and S3 define operations for.
var HTTPMethods = map[string]bool{http.MethodGet: true, http.MethodPut: true, http.MethodPost: true,
	http.MethodDelete: true, http.MethodHead: true, http.MethodOptions: true}
