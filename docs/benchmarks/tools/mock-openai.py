#!/usr/bin/env python3
"""A minimal OpenAI-compatible upstream for overhead benchmarks: answers every POST /v1/chat/completions at once
with a fixed completion and usage, from a thread per connection (HTTP/1.1 keep-alive).

    python3 docs/benchmarks/tools/mock-openai.py PORT
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out in two writes: without TCP_NODELAY each reply waits for a delayed ACK (40 ms)
    disable_nagle_algorithm = True

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        request = json.loads(self.rfile.read(length) or b"{}")
        body = json.dumps({
            "id": "cmpl-bench", "object": "chat.completion", "model": request.get("model", "mock"),
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": "4"}}],
            "usage": {"prompt_tokens": 12, "completion_tokens": 1, "total_tokens": 13},
        }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
