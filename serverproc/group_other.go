//go:build !unix

package serverproc

import (
	"os"
	"os/exec"
)

var (
	terminate = os.Kill // no SIGTERM here: the process is killed at once
	kill      = os.Kill
)

func ownGroup(*exec.Cmd) {}

func signalGroup(cmd *exec.Cmd, sig os.Signal) { _ = cmd.Process.Signal(sig) }
