#!/usr/bin/env python3
"""A minimal OpenAI-compatible upstream for overhead benchmarks, from a thread per connection (HTTP/1.1
keep-alive). A call without `stream` gets a fixed completion and usage at once. A call with `"stream": true`
gets server-sent events like a GPU server's: the first piece after FIRST_MS, then PIECES-1 more, GAP_MS apart,
a finish event, the usage, [DONE]; so time to first token straight from this server is FIRST_MS plus loopback.

    python3 docs/benchmarks/tools/mock-openai.py PORT [FIRST_MS [PIECES [GAP_MS]]]    (defaults 100 20 10)
"""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FIRST_MS = int(sys.argv[2]) if len(sys.argv) > 2 else 100
PIECES = int(sys.argv[3]) if len(sys.argv) > 3 else 20
GAP_MS = int(sys.argv[4]) if len(sys.argv) > 4 else 10
USAGE = {"prompt_tokens": 12, "completion_tokens": PIECES, "total_tokens": 12 + PIECES}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out in separate writes: without TCP_NODELAY each reply waits for a delayed ACK (40 ms)
    disable_nagle_algorithm = True

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        request = json.loads(self.rfile.read(length) or b"{}")
        model = request.get("model", "mock")
        if request.get("stream"):
            self.stream(model)
            return
        body = json.dumps({
            "id": "cmpl-bench", "object": "chat.completion", "model": model,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": "4"}}],
            "usage": {"prompt_tokens": 12, "completion_tokens": 1, "total_tokens": 13},
        }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def stream(self, model):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        time.sleep(FIRST_MS / 1000)
        for i in range(PIECES):
            if i > 0:
                time.sleep(GAP_MS / 1000)
            self.event({"id": "cmpl-bench", "object": "chat.completion.chunk", "model": model,
                        "choices": [{"index": 0, "delta": {"content": "tok%d " % i}}]})
        self.event({"id": "cmpl-bench", "object": "chat.completion.chunk", "model": model,
                    "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        self.event({"id": "cmpl-bench", "object": "chat.completion.chunk", "model": model, "choices": [],
                    "usage": USAGE})
        self.chunk(b"data: [DONE]\n\n")
        self.chunk(b"")

    def event(self, payload):
        self.chunk(b"data: " + json.dumps(payload).encode() + b"\n\n")

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
