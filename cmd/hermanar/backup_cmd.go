package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"hermanar/datasets"
)

// runBackup copies the store to --out: from a running server through the
// admin API (bbolt's consistent snapshot; writes go on), or, with the
// server stopped, from --data directly. The copy is written beside --out,
// synced, checked like a restore would check it, then renamed into place,
// so --out is either a whole, readable store or untouched.
func runBackup(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "backup")
	out := fs.String("out", "", "file to write the backup to (required)")
	data := fs.String("data", defaultDataDir(), "data directory (when no --server is given)")
	server, token := serverFlags(fs)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usageErrorf("--out FILE is required")
	}
	tmp, err := os.CreateTemp(filepath.Dir(*out), "."+filepath.Base(*out)+".partial-*")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	var n int64
	if *server != "" {
		ac, err := newAdminClient(*server, *token)
		if err != nil {
			return err
		}
		resp, err := ac.request("GET", "/api/v1/admin/backup", nil)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if n, err = io.Copy(tmp, resp.Body); err != nil {
			return fmt.Errorf("backup from %s: cut after %d bytes: %w", *server, n, err)
		}
		if want, _ := strconv.ParseInt(resp.Header.Get("Content-Length"), 10, 64); want > 0 && n != want {
			return fmt.Errorf("backup from %s: got %d of %d bytes", *server, n, want)
		}
	} else {
		st, err := datasets.OpenStore(*data, 2*time.Second)
		if err != nil {
			return err
		}
		bk, ok := st.(datasets.Backuper)
		if !ok {
			st.Close()
			return errors.New("backup: this store cannot be copied")
		}
		n, err = bk.Backup(tmp, nil)
		st.Close()
		if err != nil {
			return fmt.Errorf("backup: %w", err)
		}
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("backup %s: %w", *out, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("backup %s: %w", *out, err)
	}
	if err := datasets.CheckStoreFile(tmp.Name()); err != nil {
		return fmt.Errorf("backup: the copy does not check out, nothing written to %s: %w", *out, err)
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	done = true
	syncDir(filepath.Dir(*out))
	fmt.Fprintf(e.stdout, "backup: %d bytes written to %s and checked\n", n, *out)
	return ctx.Err()
}

// runRestore puts a backup in place of the store in --data, after
// checking it whole; the server must be stopped. The current file, if
// any, is kept beside it as hermanar.db.before-restore-TIME.
func runRestore(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "restore")
	from := fs.String("from", "", "backup file to restore (required)")
	data := fs.String("data", defaultDataDir(), "data directory")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *from == "" {
		return usageErrorf("--from FILE is required")
	}
	if err := datasets.CheckStoreFile(*from); err != nil {
		return fmt.Errorf("restore refused, %s is not a whole store (nothing changed): %w", *from, err)
	}
	if err := os.MkdirAll(*data, 0o755); err != nil {
		return err
	}
	dst := filepath.Join(*data, "hermanar.db")
	// Hold the store's lock while swapping files, so that a server that
	// starts meanwhile waits, and a running one is detected.
	if f, err := os.OpenFile(dst, os.O_RDWR, 0); err == nil {
		defer f.Close()
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			return fmt.Errorf("restore: %s is in use by a running hermanar (stop it first)", dst)
		}
	}
	src, err := os.Open(*from)
	if err != nil {
		return err
	}
	defer src.Close()
	tmp, err := os.CreateTemp(*data, ".hermanar.db.restore-*")
	if err != nil {
		return err
	}
	if _, err := io.Copy(tmp, src); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("restore: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("restore: %w", err)
	}
	tmp.Close()
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	kept := ""
	if _, err := os.Stat(dst); err == nil {
		kept = dst + ".before-restore-" + time.Now().UTC().Format("20060102T150405Z")
		if err := os.Rename(dst, kept); err != nil {
			os.Remove(tmp.Name())
			return fmt.Errorf("restore: %w", err)
		}
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	syncDir(*data)
	fmt.Fprintf(e.stdout, "restored %s to %s\n", *from, dst)
	if kept != "" {
		fmt.Fprintf(e.stdout, "the previous file is kept as %s\n", kept)
	}
	return ctx.Err()
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
