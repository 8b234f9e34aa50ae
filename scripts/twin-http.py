"""Stand-ins for what the twin cannot have, on the twin's loopback only:
- the GPU services (they need a GPU): llama-server's 8082 /health and tabby's 8083 /v1/health;
- the internet's view of hemma: `ifconfig.me` (127.0.0.2:80) answers the twin's public address
  (state/public_ip), and the registrar's nameserver `pdns1.registrar-servers.com`
  (127.0.0.3:53) answers the A record that ddclient last set (state/dns_a).
(skriptoteket's web is not one of these: it runs under Docker Compose, for real.)
"""

import http.server
import os
import socket
import struct
import threading

STATE = os.environ.get("TWIN_STATE", ".")


def state(name):
    with open(os.path.join(STATE, name)) as f:
        return f.read().strip()

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


class PublicAddress(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        data = state("public_ip").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def nameserver():
    """Answers an A query with state/dns_a (one record, TTL 60), anything else with NXDOMAIN."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.3", 53))
    while True:
        query, peer = sock.recvfrom(512)
        ident, _flags, qdcount = struct.unpack(">HHH", query[:6])
        end = 12
        while query[end] != 0:
            end += query[end] + 1
        question = query[12 : end + 5]
        qtype = struct.unpack(">H", query[end + 1 : end + 3])[0]
        try:
            address = socket.inet_aton(state("dns_a"))
        except (OSError, ValueError):
            address = None
        if qdcount == 1 and qtype == 1 and address:
            header = struct.pack(">HHHHHH", ident, 0x8580, 1, 1, 0, 0)
            answer = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + address
            sock.sendto(header + question + answer, peer)
        else:
            header = struct.pack(">HHHHHH", ident, 0x8583, 1, 0, 0, 0)
            sock.sendto(header + question, peer)


threading.Thread(target=serve, args=(8082,), daemon=True).start()
threading.Thread(target=nameserver, daemon=True).start()
threading.Thread(
    target=http.server.ThreadingHTTPServer(("127.0.0.2", 80), PublicAddress).serve_forever,
    daemon=True,
).start()
serve(8083)
