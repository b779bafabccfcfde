//go:build ignore

// Command helloweb is a tiny web server that says hello to whoever is named
// on its command line:
//
//	helloweb [--logfile FILE] [--title TITLE] HOST PORT NAME...
//
// It is compiled from source during the software build of the helloworld
// release. (The build constraint keeps it out of the Webrunner module; it
// is built explicitly with "go build helloweb.go".)
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
)

func main() {
	logfile := flag.String("logfile", "", "append access logs to this file")
	title := flag.String("title", "", "title shown above the greeting")
	flag.Parse()
	if flag.NArg() < 3 {
		fmt.Fprintln(os.Stderr, "usage: helloweb [--logfile FILE] [--title TITLE] HOST PORT NAME...")
		os.Exit(2)
	}
	host, port := flag.Arg(0), flag.Arg(1)
	name := strings.Join(flag.Args()[2:], " ")

	logger := log.New(os.Stderr, "", log.LstdFlags)
	if *logfile != "" {
		f, err := os.OpenFile(*logfile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			logger.Fatal(err)
		}
		defer f.Close()
		logger.SetOutput(f)
	}

	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		logger.Printf("%s %s %s", r.RemoteAddr, r.Method, r.URL.Path)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if *title != "" {
			fmt.Fprintf(w, "%s\n", *title)
		}
		fmt.Fprintf(w, "Hello %s!\n", name)
	})
	addr := net.JoinHostPort(host, port)
	logger.Printf("helloweb (go) listening on http://%s", addr)
	logger.Fatal(http.ListenAndServe(addr, nil))
}
