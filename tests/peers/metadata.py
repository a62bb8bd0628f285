"""An OpenStack metadata service for one HTTP connection on standard input and output.

QEMU's user network starts it for each guest connection to a `guestfwd` address:
    -nic user,...,guestfwd=tcp:169.254.169.254:80-cmd:python3 tests/peers/metadata.py ANSWERS.json
ANSWERS.json maps request paths (/latest/meta-data/instance-id ...) to the text to answer; other paths get 404.
(QEMU splits the command on spaces and the -nic option on commas: keep both out of the paths.)
"""

import json
import sys


def answer(answers, request_line):
    parts = request_line.split()
    path = parts[1] if len(parts) > 1 else "/"
    body = answers.get(path)
    if body is None:
        return b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    data = body.encode()
    return b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (
        len(data), data)


def main(argv):
    with open(argv[1]) as handle:
        answers = json.load(handle)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    request_line = stdin.readline().decode("latin-1")
    while stdin.readline().strip():
        pass
    stdout.write(answer(answers, request_line))
    stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
