//go:build unix

package serverproc

import (
	"os/exec"
	"syscall"
)

var (
	terminate = syscall.SIGTERM
	kill      = syscall.SIGKILL
)

// ownGroup starts the command in a process group of its own, so that stopping it
// stops what the shell started too.
func ownGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

func signalGroup(cmd *exec.Cmd, sig syscall.Signal) { _ = syscall.Kill(-cmd.Process.Pid, sig) }
