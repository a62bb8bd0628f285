# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Findings about a cloud model and the one exception that carries them.

This module util is PRIVATE to the collection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib


def did_you_mean(word, choices):
    """Return ' (did you mean 'x'?)' for the closest choice, or ''."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return " (did you mean '%s'?)" % close[0] if close else ""


def format_path(path):
    """('servers', 3, 'ipmi', 'address') -> 'servers[3].ipmi.address'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += "[%d]" % part
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


class Finding(object):
    """One error or warning, located by file, line and key path."""

    __slots__ = ("severity", "file", "line", "path", "message", "fix")

    def __init__(self, severity, file, line, path, message, fix):
        self.severity = severity
        self.file = file
        self.line = line
        self.path = path
        self.message = message
        self.fix = fix

    def format(self):
        where = self.file or "<model>"
        if self.line:
            where += ":%d" % self.line
        text = "%s: %s: %s: %s" % (self.severity.upper(), where, format_path(self.path), self.message)
        if self.fix:
            text += " Fix: %s" % self.fix
        return text

    def as_dict(self):
        return {
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "path": format_path(self.path),
            "message": self.message,
            "fix": self.fix,
        }

    def __repr__(self):
        return self.format()


class CloudModelError(Exception):
    """The model cannot be used. Carries every error found, and the warnings."""

    def __init__(self, findings):
        self.findings = list(findings)
        self.errors = [f for f in self.findings if f.severity == "error"]
        self.warnings = [f for f in self.findings if f.severity == "warning"]
        super(CloudModelError, self).__init__(self.report())

    def report(self):
        lines = ["the cloud model has %d error(s):" % len(self.errors)]
        lines.extend("  " + f.format() for f in self.errors)
        if self.warnings:
            lines.append("and %d warning(s):" % len(self.warnings))
            lines.extend("  " + f.format() for f in self.warnings)
        return "\n".join(lines)


class Findings(object):
    """Collects findings during one pass; resolves key paths to file and line."""

    def __init__(self, positions=None, default_file=None):
        self.positions = positions or {}
        self.default_file = default_file
        self.items = []

    def locate(self, path):
        path = tuple(path)
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return (self.default_file, None)

    def add(self, severity, path, message, fix=None):
        file, line = self.locate(path)
        self.items.append(Finding(severity, file, line, tuple(path), message, fix))

    def error(self, path, message, fix=None):
        self.add("error", path, message, fix)

    def warning(self, path, message, fix=None):
        self.add("warning", path, message, fix)

    @property
    def errors(self):
        return [f for f in self.items if f.severity == "error"]

    @property
    def warnings(self):
        return [f for f in self.items if f.severity == "warning"]

    def raise_if_errors(self):
        if self.errors:
            raise CloudModelError(self.items)
