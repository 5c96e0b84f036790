package store

import (
	"os"
	"syscall"
)

// fileSystem returns the bytes free to this process on dir's file system
// (the root user may also use the blocks reserved for it) and whether it is
// mounted read-only.
func fileSystem(dir string) (free int64, readOnly bool, err error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, false, err
	}
	blocks := st.Bavail
	if os.Geteuid() == 0 {
		blocks = st.Bfree
	}
	const stRdOnly = 1 // ST_RDONLY
	return int64(blocks) * st.Bsize, st.Flags&stRdOnly != 0, nil
}

// writable reports whether this process may write the file (a read-only
// file system, or permissions, say no).
func writable(path string) bool {
	const wOK = 2
	return syscall.Access(path, wOK) == nil
}
