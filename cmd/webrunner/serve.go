package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"webrunner/server"
	"webrunner/server/auth"
	"webrunner/web/sample"
)

func init() {
	commands["serve"] = command{summary: "start the IDE web server (the default)", run: serve}
}

// shutdownGrace is how long in-flight requests get to finish on SIGINT or
// SIGTERM.
const shutdownGrace = 10 * time.Second

func serve(ctx context.Context, args []string) int {
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fl.String("addr", "127.0.0.1:8080", "listen on `HOST:PORT` (port 0 picks a free port)")
	dir := fl.String("workspace", "workspace", "the workspace `DIR`, created on first start")
	pwFile := fl.String("password-file", "", "read the password from the first line of `FILE` (else env WEBRUNNER_PASSWORD, else generated on first start)")
	verbose := fl.Bool("v", false, "log every request")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "webrunner serve: unexpected argument %q\n", fl.Arg(0))
		return 2
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	if err := runServe(ctx, os.Stderr, log, *addr, *dir, *pwFile); err != nil {
		fmt.Fprintf(os.Stderr, "webrunner serve: %v\n", err)
		return 1
	}
	return 0
}

// readPassword returns the password from --password-file or the
// environment, "" when neither gives one.
func readPassword(file string) (string, error) {
	if file == "" {
		return os.Getenv("WEBRUNNER_PASSWORD"), nil
	}
	f, err := os.Open(file)
	if err != nil {
		return "", fmt.Errorf("password file: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("password file %s: %w", file, err)
	}
	pw := strings.TrimRight(sc.Text(), "\r")
	if pw == "" {
		return "", fmt.Errorf("password file %s: the first line is empty", file)
	}
	return pw, nil
}

// runServe serves until ctx is done, printing the generated password and
// the listening line on stderr.
func runServe(ctx context.Context, stderr io.Writer, log *slog.Logger, addr, dir, pwFile string) error {
	password, err := readPassword(pwFile)
	if err != nil {
		return err
	}
	ws, db, err := server.Setup(ctx, dir, sample.FS, sample.Profile, log)
	if err != nil {
		return err
	}
	defer db.Close()
	hash, generated, err := auth.SetupPassword(ctx, db, password)
	if err != nil {
		return err
	}
	if generated != "" {
		fmt.Fprintf(stderr, "webrunner: generated password (shown only once; set --password-file or WEBRUNNER_PASSWORD to choose one): %s\n", generated)
	}
	srv, err := server.New(server.Config{Workspace: ws, DB: db, PasswordHash: hash, Logger: log})
	if err != nil {
		return err
	}
	watchCtx, stopWatch := context.WithCancel(context.Background())
	defer stopWatch()
	if err := srv.WatchProject(watchCtx); err != nil {
		log.Warn("file events disabled", "err", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("serving", "workspace", ws.Root())
	fmt.Fprintf(stderr, "webrunner: listening on http://%s\n", ln.Addr())

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err = hs.Shutdown(sctx)
	if cerr := srv.Close(sctx); cerr != nil {
		err = errors.Join(err, cerr)
	}
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}
