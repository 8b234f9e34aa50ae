"""The twin's GPU services, which need a GPU the twin has not: stand-ins that answer
llama-server's 8082 /health and tabby's 8083 /v1/health, on the twin's loopback only.
(skriptoteket's web is not one of these: it runs under Docker Compose, for real.)
"""

import http.server
import threading

def answer(port, path):
    if port == 8082 and path == "/health":
        return 200, '{"status":"ok"}'
    if port == 8083 and path == "/v1/health":
        return 200, '{"status":"ok"}'
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


threading.Thread(target=serve, args=(8082,), daemon=True).start()
serve(8083)
