#!/usr/bin/env python3
"""helloweb - a tiny web server that says hello to whoever is named.

usage: helloweb [--logfile FILE] [--title TITLE] HOST PORT NAME...
"""
import argparse
import http.server
import logging


def main():
    parser = argparse.ArgumentParser(prog="helloweb")
    parser.add_argument("--logfile")
    parser.add_argument("--title", default="")
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("name", nargs="+")
    args = parser.parse_args()

    logging.basicConfig(filename=args.logfile, level=logging.INFO,
                        format="%(asctime)s %(message)s")
    name = " ".join(args.name)

    class Hello(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = ""
            if args.title:
                body += args.title + "\n"
            body += "Hello %s!\n" % name
            data = body.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, fmt, *a):
            logging.info("%s %s", self.client_address[0], fmt % a)

    server = http.server.ThreadingHTTPServer((args.host, args.port), Hello)
    logging.info("helloweb (python) listening on http://%s:%d", args.host, args.port)
    server.serve_forever()


if __name__ == "__main__":
    main()
