# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""One result type for every ``ensure_*`` function of the collection.

This module util is PRIVATE to the collection. It is not part of its public API.

An ``ensure_*`` function reads the current state, compares it with the wanted state, acts only
where they differ (not at all in check mode) and returns an :class:`EnsureResult`. The module
then turns it into its ``exit_json`` arguments with :meth:`EnsureResult.module_result`, so that
``changed``, ``diff`` and the resource come back the same way from IPMI, 3PAR, StoreVirtual and
Swift. The difference bookkeeping follows community.docker's ``DifferenceTracker``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy


class EnsureResult:
    """What an ``ensure_*`` call found and did.

    ``add(name, before, after)`` records one compared property; a property whose values differ
    makes the result changed. ``act(text)`` records an action taken (or, in check mode, that
    would be taken) and makes the result changed. ``resource`` is what the module returns
    about the object after the call; ``msg``, when set, a one-line summary of the call.

    The diff lists the compared properties, unless ``set_diff()`` gives the module's own view
    (a text, or the resource before and after with headers).
    """

    def __init__(self, resource=None, msg=None):
        self._differences = []
        self.actions = []
        self.resource = resource if resource is not None else {}
        self.msg = msg
        self._forced = False
        self._shown_diff = None

    def add(self, name, before=None, after=None):
        """Record one compared property. Returns True when its values differ."""
        differs = before != after
        self._differences.append({"name": name, "before": before, "after": after, "differs": differs})
        return differs

    def act(self, text):
        """Record an action taken (or planned in check mode); the result is changed."""
        self.actions.append(text)
        self._forced = True

    @property
    def changed(self):
        return self._forced or any(d["differs"] for d in self._differences)

    @property
    def differences(self):
        """The compared properties that differ: [{name, before, after}]."""
        return [{"name": d["name"], "before": d["before"], "after": d["after"]}
                for d in self._differences if d["differs"]]

    def before(self):
        return dict((d["name"], copy.deepcopy(d["before"])) for d in self._differences)

    def after(self):
        return dict((d["name"], copy.deepcopy(d["after"])) for d in self._differences)

    def set_diff(self, before, after, before_header=None, after_header=None):
        """Show this diff (texts, or values of the module's own shape) instead of the compared properties.
        It does not decide ``changed``: ``add()`` and ``act()`` do."""
        shown = {"before": copy.deepcopy(before), "after": copy.deepcopy(after)}
        if before_header is not None:
            shown["before_header"] = before_header
        if after_header is not None:
            shown["after_header"] = after_header
        self._shown_diff = shown

    @property
    def diff(self):
        """Ansible's diff shape: {'before': {...}, 'after': {...}} over every compared property, or what
        ``set_diff()`` gave."""
        if self._shown_diff is not None:
            return copy.deepcopy(self._shown_diff)
        return {"before": self.before(), "after": self.after()}

    def module_result(self, diff_mode=False, **extra):
        """The keyword arguments for ``exit_json``: changed, actions, msg (when set), the resource, the diff."""
        out = {"changed": self.changed, "actions": list(self.actions)}
        if self.msg is not None:
            out["msg"] = self.msg
        out.update(self.resource)
        out.update(extra)
        if diff_mode:
            out["diff"] = self.diff
        return out
