package main

import (
	"errors"
	"io"
)

// These commands land with the viz and shrink packages.
func cmdViz(args []string, stdout, stderr io.Writer) error    { return errors.New("not built yet") }
func cmdPlot(args []string, stdout, stderr io.Writer) error   { return errors.New("not built yet") }
func cmdShrink(args []string, stdout, stderr io.Writer) error { return errors.New("not built yet") }
