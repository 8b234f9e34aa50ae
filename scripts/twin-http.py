"""The twin's HTTP services, until web runs under Docker Compose on the twin.

8082 /health and 8083 /v1/health stand for the host's GPU services (llama-server, tabby);
8000 stands for skriptoteket's web: it answers with the commit checked out in the app's
work tree, as a deployed web would. Listens on the twin's loopback only.
"""

import http.server
import subprocess
import sys
import threading

APP = sys.argv[1]


def answer(port, path):
    if port == 8082 and path == "/health":
        return 200, '{"status":"ok"}'
    if port == 8083 and path == "/v1/health":
        return 200, '{"status":"ok"}'
    if port == 8000 and path in ("/", "/health"):
        head = subprocess.run(
            ["git", "-c", "safe.directory=*", "-C", APP, "rev-parse", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        return 200, head
    return 404, "not found"


def serve(port):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            code, body = answer(port, self.path)
            data = (body + "\n").encode()
            self.send_response(code)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


for p in (8082, 8083):
    threading.Thread(target=serve, args=(p,), daemon=True).start()
serve(8000)
