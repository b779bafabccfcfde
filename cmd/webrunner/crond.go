package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"webrunner/server/crond"
)

func init() {
	commands["crond"] = command{
		summary: "run cron.d entries like dcron (-s DIR -c DIR -t DIR -f -l N -M CATCHER -L LOG)",
		run:     runCrond,
	}
}

func runCrond(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("crond", flag.ContinueOnError)
	var cfg crond.Config
	fs.StringVar(&cfg.SystemDir, "s", "", "directory of system crontab files")
	fs.StringVar(&cfg.CrontabsDir, "c", "", "directory of user crontab files")
	fs.StringVar(&cfg.StampsDir, "t", "", "directory of job time stamps")
	fs.StringVar(&cfg.Mailer, "M", "", "program receiving the output of jobs on stdin")
	fs.StringVar(&cfg.LogFile, "L", "", "log file (default stderr)")
	fs.IntVar(&cfg.LogLevel, "l", 5, "log level: lower logs more")
	fs.Bool("f", true, "run in the foreground (always)")
	fs.Bool("b", false, "ignored: always runs in the foreground")
	fs.Bool("S", false, "ignored: log to syslog")
	fs.String("m", "", "ignored: mail address")
	fs.Int("d", 0, "ignored: debug level")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if cfg.SystemDir == "" && cfg.CrontabsDir == "" {
		fmt.Fprintln(os.Stderr, "webrunner crond: need -s or -c")
		return 2
	}
	var logw io.Writer = os.Stderr
	if cfg.LogFile != "" {
		f, err := os.OpenFile(cfg.LogFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintln(os.Stderr, "webrunner crond:", err)
			return 1
		}
		defer f.Close()
		logw = f
	}
	if err := crond.New(cfg, nil, logw).Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "webrunner crond:", err)
		return 1
	}
	return 0
}
