//go:build windows

package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// enableColor turns on the console's handling of escape sequences (a console of
// Windows 10 and later has it, off by default): where it cannot, no colour, rather
// than escape sequences shown as text.
func enableColor(f *os.File) bool {
	h := windows.Handle(f.Fd())
	var mode uint32
	if err := windows.GetConsoleMode(h, &mode); err != nil {
		return false
	}
	return windows.SetConsoleMode(h, mode|windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING) == nil
}
