"""A tiny loopback DNS server for the end-to-end tests (socket + struct, no dnspython): UDP and TCP on
one port of 127.0.0.1, answering like a recursive resolver from the records the test sets (CNAMEs
followed inside them, NXDOMAIN for unknown names, NODATA for known names without the type)."""
import socket
import struct
import threading

A, CNAME = 1, 5


def _normal(name):
    name = name.lower()
    return name if name.endswith(".") else name + "."


def _wire(name):
    out = b""
    for label in _normal(name).rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


class LoopbackDNS:
    def __init__(self):
        self._lock = threading.Lock()
        self._records = []  # (name, type, value)
        self.queries = 0
        self._tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._tcp.bind(("127.0.0.1", 0))
        self.port = self._tcp.getsockname()[1]
        self._udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._udp.bind(("127.0.0.1", self.port))
        self._tcp.listen(8)
        self._stopped = False
        self._threads = [threading.Thread(target=self._serve_udp, daemon=True),
                         threading.Thread(target=self._serve_tcp, daemon=True)]
        for thread in self._threads:
            thread.start()

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def add_cname(self, name, target):
        with self._lock:
            self._records.append((_normal(name), CNAME, _normal(target)))

    def add_a(self, name, address):
        with self._lock:
            self._records.append((_normal(name), A, address))

    def clear(self):
        with self._lock:
            self._records = []

    def stop(self):
        self._stopped = True
        for sock in (self._udp, self._tcp):
            try:
                sock.close()
            except OSError:
                pass

    def _serve_udp(self):
        while not self._stopped:
            try:
                query, peer = self._udp.recvfrom(4096)
                answer = self.answer(query)
                if answer:
                    self._udp.sendto(answer, peer)
            except OSError:
                return

    def _serve_tcp(self):
        while not self._stopped:
            try:
                conn, _ = self._tcp.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                try:
                    head = conn.recv(2)
                    if len(head) < 2:
                        continue
                    (length,) = struct.unpack("!H", head)
                    query = b""
                    while len(query) < length:
                        part = conn.recv(length - len(query))
                        if not part:
                            break
                        query += part
                    answer = self.answer(query)
                    if answer:
                        conn.sendall(struct.pack("!H", len(answer)) + answer)
                except OSError:
                    continue

    def answer(self, query):
        if len(query) < 12:
            return None
        with self._lock:
            self.queries += 1
            records = list(self._records)
        (qid,) = struct.unpack("!H", query[:2])
        labels, at = [], 12
        while at < len(query) and query[at] != 0:
            size = query[at]
            labels.append(query[at + 1:at + 1 + size].decode(errors="replace").lower())
            at += 1 + size
        if at + 5 > len(query):
            return None
        qtype, _ = struct.unpack("!HH", query[at + 1:at + 5])
        question = query[12:at + 5]
        name = ".".join(labels) + "."
        found, code = [], 0
        for _ in range(10):
            here = [r for r in records if r[0] == name]
            matching = [r for r in here if r[1] == qtype]
            if matching:
                found += matching
                break
            alias = next((r for r in here if r[1] == CNAME), None)
            if qtype == CNAME or alias is None:
                exists = here or any(r[0].endswith("." + name) for r in records)
                code = 0 if exists else 3
                break
            found.append(alias)
            name = alias[2]
        out = struct.pack("!HHHHHH", qid, 0x8180 | code, 1, len(found), 0, 0) + question
        for owner, rtype, value in found:
            # The question's name is written as a pointer to it (offset 12), others in full.
            owner_wire = b"\xc0\x0c" if owner == ".".join(labels) + "." else _wire(owner)
            data = bytes(int(p) for p in value.split(".")) if rtype == A else _wire(value)
            out += owner_wire + struct.pack("!HHIH", rtype, 1, 60, len(data)) + data
        return out
