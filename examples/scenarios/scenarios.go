// Package scenarios holds the pbkv example's scenario files: the green
// library at the top, planted bugs under bugs/. The demo scenario is
// embedded for cmd/pbkv's demo command.
package scenarios

import _ "embed"

// DemoName is the demo scenario's file name.
const DemoName = "pbkv-partitions.yaml"

// Demo is the demo scenario's YAML.
//
//go:embed pbkv-partitions.yaml
var Demo []byte
