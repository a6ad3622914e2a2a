//go:build tools

// Package tools pins ossutil, the official OSS command-line client, for
// ossapi's TestOssutil, which builds it from here: go build
// github.com/aliyun/ossutil. It is a module of its own so that the
// repository's module does not depend on it.
package tools

import _ "github.com/aliyun/ossutil"
