// Package architecture holds no code: its test checks the rules of the project's
// shape that a reader relies on (DESIGN.md, issue 14): which package may import
// which, how long a file and a command-line function may be, and the mechanisms that
// must not decide behaviour (recover, code pointers, context values, unsafe).
package architecture
