package main

import (
	"fmt"
	"io"
)

func cmdConfig(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "strait config: not available in this build")
	return 2
}
