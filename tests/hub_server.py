#!/usr/bin/env python3
"""A local stand-in for the Hugging Face Hub, for tests: 127.0.0.1 only, standard library only.

    hub_server.py MANIFEST LOG

Prints "PORT <n>" once listening. MANIFEST (re-read on every request, so a test can change it):
    {"token": "hf_...",                      # the token private and gated repos accept
     "repos": {"ORG/NAME": {
         "private": false, "gated": false,
         "refs": {"main": COMMIT, "v1": COMMIT},
         "commits": {COMMIT: {"FILE": {"path": "/abs/file", "lfs": true}}}}},
     "cut_once": [SHA256, ...],              # the first GET of that blob stops halfway
     "corrupt": [SHA256, ...],               # that blob is served with one byte changed
     "slow": [SHA256, ...]}                  # that blob comes at about 1 MB/s
LOG gets one JSON object per request: method, path, range, auth (whether Authorization came).

It answers as the Hub does: HEAD/GET /ORG/NAME/resolve/REV/FILE with X-Repo-Commit, an ETag
(the git blob sha1; for LFS files X-Linked-Etag = sha256 and X-Linked-Size) and, for LFS files,
a 302 to /cdn/SHA256 (the file CDN, which gets no Authorization); errors carry X-Error-Code
(RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo). The CDN honours Range.
"""
import hashlib
import http.server
import json
import os
import sys
import threading
import time
import urllib.parse

MANIFEST, LOG = sys.argv[1], sys.argv[2]
lock = threading.Lock()
cut_done = set()
hash_cache = {}


def manifest():
    with open(MANIFEST) as f:
        return json.load(f)


def digests(path):
    st = os.stat(path)
    key = (path, st.st_size, st.st_mtime_ns)
    if key not in hash_cache:
        data = open(path, "rb").read()
        sha1 = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
        hash_cache[key] = (hashlib.sha256(data).hexdigest(), sha1)
    return hash_cache[key]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def record(self):
        entry = {"method": self.command, "path": self.path,
                 "range": self.headers.get("Range"),
                 "auth": self.headers.get("Authorization") is not None}
        with lock, open(LOG, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def error(self, status, code, message):
        body = json.dumps({"error": message}).encode()
        self.send_response(status)
        if code:
            self.send_header("X-Error-Code", code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.handle_any()

    def do_GET(self):
        self.handle_any()

    def handle_any(self):
        self.record()
        m = manifest()
        path = urllib.parse.urlsplit(self.path).path
        if path.startswith("/cdn/"):
            return self.cdn(m, path[5:])
        if "/resolve/" not in path:
            return self.error(404, None, "not found")
        repo_id, rest = path[1:].split("/resolve/", 1)
        repo = m["repos"].get(repo_id)
        if repo is None:
            return self.error(404, "RepoNotFound", "Repository not found")
        token = self.headers.get("Authorization", "")
        authorised = token == "Bearer " + m.get("token", "")
        if repo.get("gated") and not authorised:
            return self.error(401, "GatedRepo", "Access to this model is restricted")
        if repo.get("private") and not authorised:
            return self.error(401, "RepoNotFound", "Repository not found")
        rev, _, file = rest.partition("/")
        rev = urllib.parse.unquote(rev)
        file = urllib.parse.unquote(file)
        commit = repo["refs"].get(rev, rev)
        if commit not in repo["commits"]:
            return self.error(404, "RevisionNotFound", "Revision not found")
        entry = repo["commits"][commit].get(file)
        if entry is None:
            return self.error(404, "EntryNotFound", "Entry not found")
        sha256, sha1 = digests(entry["path"])
        size = os.path.getsize(entry["path"])
        if entry.get("lfs"):
            self.send_response(302)
            self.send_header("Location", "http://%s:%d/cdn/%s?X-Amz-Signature=test"
                             % (self.server.server_address + (sha256,)))
            self.send_header("X-Repo-Commit", commit)
            self.send_header("ETag", '"%s"' % sha1)
            self.send_header("X-Linked-Etag", '"%s"' % sha256)
            self.send_header("X-Linked-Size", str(size))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = open(entry["path"], "rb").read()
        self.send_response(200)
        self.send_header("X-Repo-Commit", commit)
        self.send_header("ETag", '"%s"' % sha1)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(data)

    def cdn(self, m, sha256):
        for repo in m["repos"].values():
            for files in repo["commits"].values():
                for entry in files.values():
                    if digests(entry["path"])[0] == sha256:
                        return self.serve_blob(m, sha256, entry["path"])
        return self.error(404, None, "no such blob")

    def serve_blob(self, m, sha256, path):
        data = bytearray(open(path, "rb").read())
        if sha256 in m.get("corrupt", []):
            data[len(data) // 2] ^= 0xFF
        start = 0
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes=") and rng.endswith("-"):
            start = int(rng[6:-1])
            if start >= len(data):
                return self.error(416, None, "range not satisfiable")
        body = bytes(data[start:])
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "GET":
            return
        with lock:
            cut = sha256 in m.get("cut_once", []) and sha256 not in cut_done
            if cut:
                cut_done.add(sha256)
        if cut:  # half the body, then the connection drops
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if sha256 in m.get("slow", []):
            for i in range(0, len(body), 65536):
                self.wfile.write(body[i:i + 65536])
                self.wfile.flush()
                time.sleep(0.06)
            return
        self.wfile.write(body)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print("PORT %d" % server.server_address[1], flush=True)
server.serve_forever()
