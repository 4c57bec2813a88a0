//go:build !windows

package main

import "os"

// enableColor: a terminal of a Unix-like system takes escape sequences as they are.
func enableColor(*os.File) bool { return true }
